"""Cut the shapes the reports use out of DejaVu Sans into static/fonts/FremdriftSymbols.ttf.

IBM Plex Sans has no geometric shapes; the reports draw the colours as ● ▲ ■ and the
year-over-year markers as ▲ ▼ = •. Run once after changing SYMBOLS (needs fonts-dejavu-core).
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TARGET = Path(__file__).resolve().parent.parent / "static" / "fonts" / "FremdriftSymbols.ttf"
SYMBOLS = "●▲■▼◆○•=▶◀? "
# The Bitstream Vera licence asks that a modified copy does not carry the original's names.
NAMES = {1: "Fremdrift Symbols", 3: "FremdriftSymbols subset of DejaVu Sans 2.37", 4: "Fremdrift Symbols"}
NAMES |= {6: "FremdriftSymbols", 16: "Fremdrift Symbols"}


def main() -> None:
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = []
    font = TTFont(SOURCE)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for char in SYMBOLS])
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in NAMES:
            record.string = NAMES[record.nameID]
    font.save(TARGET)
    print(f"{TARGET}: {sorted(font.getBestCmap())}")


if __name__ == "__main__":
    main()
