from html.parser import HTMLParser


class Outline(HTMLParser):
    """Collects the text of headings, and every tag with its attributes, from a page."""

    def __init__(self, html):
        super().__init__()
        self.headings = []  # (tag, text)
        self.tags = []  # (tag, attrs dict)
        self._open = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in {"h1", "h2", "h3"}:
            self._open = [tag, ""]

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            self.headings.append((tag, " ".join(self._open[1].split())))
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._open[1] += data

    def texts(self, tag):
        return [text for name, text in self.headings if name == tag]

    def find_all(self, tag, **attrs):
        return [a for name, a in self.tags if name == tag and all(a.get(k) == v for k, v in attrs.items())]
