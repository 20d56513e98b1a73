from caretrack.navigation import nav_for
from caretrack.notifications import unread_count
from caretrack.permissions import get_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = get_roles(user)
    nav_items = nav_for(user, request.path)
    return {
        "roles": roles,
        "nav_items": nav_items,
        # On a phone the menu is folded: its toggle shows how many things wait behind it.
        "nav_waiting": sum(item["count"] for item in nav_items),
        "unread_notifications": unread_count(user),
    }
