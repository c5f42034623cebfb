"""The User Console follows the system colour scheme with JavaScript off, still WCAG AA.

color-scheme.js sets Bootstrap's data-bs-theme; with scripts off nothing does, and
tessera.css's `@media (prefers-color-scheme: dark)` block must give the dark palette instead.
axe.run never returns in a context with JavaScript disabled (it waits on timers that do not
run), so this test measures the contrast itself with one synchronous page.evaluate per page:
DevTools evaluation still works there, page scripts do not.
"""

import re

import pytest

from sso_apps.tests.browser.test_accessibility import console_sign_in, looks, seed  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For every visible element with its own text: its colour, blended over the nearest
# backgrounds of it and its ancestors (first opaque one wins), against WCAG 2.2 1.4.3.
# Synchronous on purpose: nothing here may wait on a timer or a promise.
CONTRAST_SCRIPT = r"""
() => {
  const parse = (value) => {
    const m = value.match(
      /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/);
    if (!m) { throw new Error("unparsed colour " + value); }
    let a = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith("%")) { a = a / 100; }
    return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), a];
  };
  const over = (top, bottom) => [0, 1, 2].map(
    (i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v = v / 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const backdrop = (element) => {
    // Semi-transparent layers from the element outwards, composited over the first
    // opaque one; the canvas under everything is the scheme's default (white or black
    // per color-scheme, but body always paints, so reaching it is a finding).
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0) { layers.push(bg); }
      if (bg[3] >= 1) { break; }
    }
    let colour = layers.length && layers[layers.length - 1][3] >= 1
      ? layers.pop() : null;
    if (colour === null) { return null; }
    while (layers.length) { colour = over(layers.pop(), colour); }
    return colour;
  };
  const visible = (element) => {
    const style = getComputedStyle(element);
    if (style.visibility !== "visible" || parseFloat(style.opacity) === 0) { return false; }
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) { return false; }  // .visually-hidden is 1x1
    return element.getClientRects().length > 0;
  };
  const body = backdrop(document.body);
  const results = [];
  for (const element of document.body.querySelectorAll("*")) {
    const own = Array.from(element.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent.trim()).join(" ").trim();
    if (!own || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(element.tagName)) {
      continue;
    }
    if (!visible(element)) { continue; }
    const style = getComputedStyle(element);
    const bg = backdrop(element);
    const fg = over(parse(style.color), bg || [0, 0, 0, 1]);
    const size = parseFloat(style.fontSize);
    const bold = parseInt(style.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    results.push({
      text: own.slice(0, 60), tag: element.tagName.toLowerCase(),
      classes: element.className && String(element.className),
      color: style.color, background: bg && "rgb(" + bg.slice(0, 3).join(", ") + ")",
      ratio: bg ? ratio(fg, bg) : 0, needed: large ? 3 : 4.5,
    });
  }
  return {
    bodyLuminance: body ? luminance(body) : null,
    hasTheme: document.documentElement.hasAttribute("data-bs-theme"),
    results: results,
  };
}
"""


def assert_readable(page, scheme: str, where: str):
    measured = page.evaluate(CONTRAST_SCRIPT)
    # No script ran: the palette comes from the media query, not from color-scheme.js.
    assert measured["hasTheme"] is False, where
    luminance = measured["bodyLuminance"]
    if scheme == "dark":
        assert luminance is not None and luminance < 0.2, f"{where}: body luminance {luminance}"
    else:
        assert luminance is not None and luminance > 0.8, f"{where}: body luminance {luminance}"
    results = measured["results"]
    assert results, f"{where}: no visible text measured"
    failing = [r for r in results if r["ratio"] < r["needed"]]
    assert failing == [], f"{where} [{scheme}]: low contrast:\n" + "\n".join(
        f"  {r['tag']}.{r['classes']} {r['text']!r}: {r['color']} on {r['background']} "
        f"= {r['ratio']:.2f} < {r['needed']}"
        for r in failing
    )


@looks
def test_console_follows_the_system_scheme_without_javascript(
    look,
    seed,  # noqa: F811
    portal,
    test_sp,
    new_context,
):
    suffix = seed["application"].idp_suffix
    test_sp.configure(f"{portal}/saml2/{suffix}/metadata")
    context = new_context(
        viewport={"width": look.width, "height": 900},
        color_scheme=look.scheme,
        java_script_enabled=False,
    )
    # A hung evaluation fails in seconds rather than stalling the suite.
    context.set_default_timeout(10_000)
    page = context.new_page()

    page.goto(f"{portal}/userconsole/login/")
    assert_readable(page, look.scheme, "console sign-in")
    console_sign_in(page, portal, "grace@example.com")
    page.get_by_role("heading", name="Your applications").wait_for()
    assert_readable(page, look.scheme, "console home")
    page.goto(f"{portal}/userconsole/account/")
    assert_readable(page, look.scheme, "account page")
    # Sign in to the test SP by the no-script buttons, so that signing out has an SP to
    # log out of and ends on the signed-out page (with no SP session it goes to sign-in).
    page.goto(f"{portal}/saml2/{suffix}/init")
    assert_readable(page, look.scheme, "SAML launch")
    page.get_by_role("button", name="Continue to GoToAssist").click()
    page.get_by_role("button", name="Continue").wait_for()
    assert_readable(page, look.scheme, "SAML POST form (JavaScript is off)")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: not url.startswith(portal))
    page.goto(f"{portal}/userconsole/")
    page.get_by_role("button", name="Sign out").click()
    signed_out = re.compile(r"/userconsole/signed-out/")
    for _ in range(6):  # logout chain: one Continue per front-channel hop
        if signed_out.search(page.url):
            break
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
    assert signed_out.search(page.url), page.url
    assert_readable(page, look.scheme, "signed-out page")

    # A user no authorised group includes: the implicit-deny 403.
    console_sign_in(page, portal, "outsider@example.com")
    page.get_by_role("heading", name="Your applications").wait_for()
    response = page.goto(f"{portal}/saml2/{suffix}/init")
    assert response.status == 403
    assert_readable(page, look.scheme, "403 page")
