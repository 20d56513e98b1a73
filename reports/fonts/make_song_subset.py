"""Make reports/fonts/song-gb2312.ttf, the Song-style body face of the 工作总结, from AR PL UMing CN.

The Debian package fonts-arphic-uming ships /usr/share/fonts/truetype/arphic/uming.ttc (21 MB, four faces).
This keeps face 0 (AR PL UMing CN) and only the characters of GB 2312 levels 1 and 2 (6,763 Han characters)
with its symbols and full-width forms, ASCII and the usual Chinese punctuation, plus the rare characters of
CJK Extension A that the shipped WenQuanYi face lacks (䶮 of 刘䶮): about 5 MB. Other characters outside it
(rare characters of names such as 堃 or 玥, in GBK but not GB 2312) are set in the WenQuanYi face, glyph by
glyph (reports.pdf.font_runs).

Run once after installing the package (apt-get install -y fonts-arphic-uming), with fontTools installed:

    .venv/bin/python reports/fonts/make_song_subset.py [path/to/uming.ttc]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
HERE = Path(__file__).resolve().parent
TARGET = HERE / "song-gb2312.ttf"
FALLBACK = HERE / "wqy-microhei.ttc"
EXTRA = "　、。·ˉˇ¨〃々—～‖…‘’“”〔〕〈〉《》「」『』〖〗【】±×÷∶∧∨∑∏∪∩∈∷√⊥∥∠⌒⊙∫∮≡≌≈∽∝≠≮≯≤≥∞∵∴♂♀°′″℃￥％"


def gb2312_characters() -> set[str]:
    """Every character GB 2312 encodes: rows 1-9 (symbols, full-width forms) and 16-87 (the Han levels)."""
    chars = set()
    for row in list(range(1, 10)) + list(range(16, 88)):
        for cell in range(1, 95):
            try:
                chars.add(bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted_codepoints(font) -> list[int]:
    chars = {ord(c) for c in gb2312_characters() | set(EXTRA)} | set(range(0x20, 0x7F))
    fallback = TTCollection(str(FALLBACK)).fonts[0].getBestCmap()
    extension_a = {c for c in font.getBestCmap() if 0x3400 <= c <= 0x4DBF and c not in fallback}
    return sorted(chars | extension_a)


def main(source: Path = SOURCE, target: Path = TARGET) -> None:
    font = TTCollection(str(source)).fonts[0]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False  # a PDF viewer does not use TrueType hinting
    options.drop_tables += ["EBDT", "EBLC", "EBSC", "BDF", "FFTM"]  # embedded bitmaps: screen sizes only
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=wanted_codepoints(font))
    subsetter.subset(font)
    font.save(str(target))
    han = sum(1 for c in gb2312_characters() if "\u4e00" <= c <= "\u9fff")
    print(f"{target}: {target.stat().st_size:,} bytes, {han} GB 2312 Han characters")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
