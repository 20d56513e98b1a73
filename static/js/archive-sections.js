// The archive's sections: choosing the guardian among the grandparents already entered (同祖母) fills her
// name, relation and age in the guardian's fields, which the server takes from her record anyway.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var choice = event.target.closest("input[data-family-member]");
    if (!choice || !choice.checked) return;
    var form = choice.form;
    ["name", "relation", "age"].forEach(function (key) {
      var input = form.querySelector('[name="guardian-' + key + '"]');
      var value = choice.dataset["fill" + key.charAt(0).toUpperCase() + key.slice(1)];
      if (input && value !== undefined && value !== "") { input.value = value; }
    });
  });
})();
