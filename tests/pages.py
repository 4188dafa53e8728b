"""Reading pages as a user reads them: the text of a table's rows, cell by cell."""

from html.parser import HTMLParser


class TableText(HTMLParser):
    """The text of each row of the tables with the given class (tables inside them included)."""

    def __init__(self, css_class):
        super().__init__()
        self.css_class, self.depth, self.rows, self.cell = css_class, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or self.css_class in (dict(attrs).get("class") or "").split()):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response, css_class):
    """Every row of the page's tables of `css_class`, header rows included."""
    parser = TableText(css_class)
    parser.feed(response.text)
    return parser.rows
