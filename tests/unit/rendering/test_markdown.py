from service.rendering.markdown import render_markdown


def test_markdown_is_rendered() -> None:
    html = render_markdown("**Agreed** to\n\n- adopt\n- circulate")
    assert "<strong>Agreed</strong>" in html
    assert "<li>adopt</li>" in html


def test_raw_html_and_script_links_are_shown_as_text_or_dropped() -> None:
    html = render_markdown(
        '<script>alert(1)</script> [go](javascript:alert(1)) <img src=x onerror="y">'
    )
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<img" not in html
