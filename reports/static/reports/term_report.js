// 保存并导出 PDF: the export posts the form (the server saves the edits, then exports). Done with fetch so the
// page stays and its version field follows the save; without this script the form posts as usual.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.fetch) return;
  var status = document.getElementById("export-status");
  function onSubmit(event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-export")) return;
    event.preventDefault();
    var data = new FormData(form);
    if (status) status.textContent = "正在保存并导出……";
    fetch(button.getAttribute("formaction"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/pdf") !== 0) {
          form.removeEventListener("submit", onSubmit);
          form.action = button.getAttribute("formaction");
          HTMLFormElement.prototype.submit.call(form); // shows the page with its messages
          return null;
        }
        var version = response.headers.get("X-Report-Version");
        if (version !== null && form.elements["r-version"]) form.elements["r-version"].value = version;
        var disposition = response.headers.get("Content-Disposition") || "";
        var match = /filename\*=UTF-8''([^;]+)/.exec(disposition);
        var name = match ? decodeURIComponent(match[1]) : "工作总结.pdf";
        return response.blob().then(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = name;
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
          if (status) status.textContent = "已保存并导出。";
        });
      })
      .catch(function () {
        if (status) status.textContent = "导出失败，请检查网络后重试。";
      });
  }
  form.addEventListener("submit", onSubmit);
})();
