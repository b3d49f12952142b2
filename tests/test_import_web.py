"""Saved HTML articles and RSS/Atom feeds, built from articles in RealTime QA's format (written
for the project, with CNN-style datelines: tests/data/SOURCE.md)."""
import email.utils
import gzip
import html
import json
from datetime import datetime, timezone

import pytest

from conftest import REALTIMEQA


@pytest.fixture(scope="module")
def articles():
    """Articles (url, title, text, publish_date) from the search results whose text opens with
    a Washington CNN dateline, in either of its two styles."""
    found = []
    for week in sorted((REALTIMEQA / "gcs").glob("*_gcs.jsonl.gz"))[:3]:
        for line in gzip.open(week, "rt", encoding="utf-8"):
            for r in json.loads(line)["search_result"]:
                if r.get("title") and (r.get("text") or "").startswith(("Washington CNN —", "Washington (CNN)")) \
                        and r["url"] not in {a["url"] for a in found}:
                    found.append(r)
    assert len(found) >= 3
    return found[:3]


def _paragraphs(text):
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _page(article):
    title = article["title"].replace(" - CNN", "").replace(" | CNN Politics", "")
    date = article["publish_date"].replace("/", "-")
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(article["text"]))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(article["title"])}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="CNN">
<meta property="article:published_time" content="{date}T12:00:00Z">
<link rel="canonical" href="{article["url"]}"></head>
<body><nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/world">World</a></nav>
<article><h1>{html.escape(title)}</h1>
{paragraphs}
</article>
<footer>© 2022 Cable News Network. All Rights Reserved. Terms of Use | Privacy Policy</footer>
</body></html>"""


def _export(cli):
    return [json.loads(line) for line in cli("export").output.splitlines()]


def test_saved_html_article(cli, tmp_path, articles):
    article = articles[0]
    page = tmp_path / "article.html"
    page.write_text(_page(article), encoding="utf-8")
    result = cli("import", str(page))
    assert "(html): 1 added" in result.output, result.output
    [item] = _export(cli)
    assert item["source"] == "CNN"
    assert item["url"] == article["url"]
    assert item["date"] == article["publish_date"].replace("/", "-")
    assert item["dateline"] == "Washington" and item["dateline_text"] in ("Washington CNN —", "Washington (CNN)")
    assert article["text"].endswith(item["body"][-200:])
    assert item["body"][:60] in article["text"][:200]
    assert "Cable News Network" not in item["body"] and "Home" not in item["body"]
    assert item["title"] and item["title"] in article["title"]


def _rss(articles):
    items = []
    for a in articles:
        when = datetime.strptime(a["publish_date"], "%Y/%m/%d").replace(hour=9, tzinfo=timezone.utc)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(a["text"]))
        items.append(f"""<item><title>{html.escape(a["title"])}</title><link>{a["url"]}</link>
<guid>{a["url"]}</guid><pubDate>{email.utils.format_datetime(when)}</pubDate>
<description>{html.escape(body)}</description></item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>CNN.com - RSS Channel - Politics</title>
<link>https://www.cnn.com/politics</link><description>CNN politics</description>
{"".join(items)}</channel></rss>"""


def test_rss_feed_one_item_per_entry(cli, tmp_path, articles):
    feed = tmp_path / "politics.rss"
    feed.write_text(_rss(articles), encoding="utf-8")
    result = cli("import", str(feed))
    assert f"(rss): {len(articles)} added" in result.output, result.output
    items = {i["url"]: i for i in _export(cli)}
    for a in articles:
        item = items[a["url"]]
        assert item["source"] == "CNN.com - RSS Channel - Politics"
        assert item["title"] == a["title"]
        assert item["date"] == a["publish_date"].replace("/", "-")
        assert item["dateline"] == "Washington"
        assert item["body"][:60] in a["text"][:200] and not item["body"].startswith("Washington")
        assert "<p>" not in item["body"]
        assert item["origin"].endswith("entry %d" % (articles.index(a) + 1))


def test_atom_feed(cli, tmp_path, articles):
    a = articles[1]
    date = a["publish_date"].replace("/", "-")
    body = "".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(a["text"]))
    feed = tmp_path / "feed.xml"
    feed.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>CNN Atom</title><id>urn:cnn</id>
<updated>{date}T10:00:00Z</updated>
<entry><title>{html.escape(a["title"])}</title><link href="{a["url"]}"/><id>{a["url"]}</id>
<updated>{date}T10:00:00Z</updated><published>{date}T10:00:00Z</published>
<content type="html">{html.escape(body)}</content></entry></feed>""", encoding="utf-8")
    assert "(rss): 1 added" in cli("import", str(feed)).output
    [item] = _export(cli)
    assert (item["source"], item["date"], item["dateline"]) == ("CNN Atom", date, "Washington")


def test_feed_with_no_entries_is_reported(cli, tmp_path):
    feed = tmp_path / "empty.rss"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>')
    result = cli("import", str(feed))
    assert "0 added" in result.output and "the feed has no entries" in result.output
