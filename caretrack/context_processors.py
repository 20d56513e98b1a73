from caretrack.navigation import nav_for
from caretrack.permissions import get_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = get_roles(user)
    return {"roles": roles, "nav_items": nav_for(user, request.path)}
