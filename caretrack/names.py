"""How a person is named where a full name must not go: 王小明 → 王同学 (a child), 王秀英 → 王某 (an adult).
Used by the bureau's PDF, e-mail and webhook messages and anything else that leaves the app."""

COMPOUND_SURNAMES = frozenset([
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "端木", "西门", "南宫", "独孤", "呼延", "轩辕", "申屠", "太史", "闻人", "万俟",
    "澹台", "公冶", "濮阳", "淳于", "单于", "钟离", "百里", "东郭", "赫连", "拓跋",
])  # fmt: skip


def surname(name: str) -> str:
    name = name.strip()
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def child_alias(name: str) -> str:
    """王小明 → 王同学."""
    return f"{surname(name)}同学"


def adult_alias(name: str) -> str:
    """王秀英 → 王某."""
    return f"{surname(name)}某"
