"""axe-core in real Chromium: WCAG 2.2 AA checks, colour schemes and widths for browser tests.

axe-core comes from npm, pinned in package-lock.json and installed by scripts/test
(`ensure_node_modules`). It is loaded with an init script, which Chromium runs through the
DevTools protocol: the pages' Content-Security-Policy (script-src 'self' + nonce) stays
enforced, so the `new_context` fixture still fails the test on any CSP violation, while a
`<script>` tag added with `page.add_script_tag` would be refused by that same policy.
"""

from dataclasses import dataclass
from pathlib import Path

AXE_SOURCE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"

# The rule set issue 16 requires: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Impacts that fail a test; "moderate" and "minor" are reported by axe but do not block.
BLOCKING_IMPACTS = frozenset({"critical", "serious"})
# Structure rules axe files under best practice with "moderate" impact, which issue 16 still
# requires on every page: one main landmark, all content in landmarks, one <h1>. They fail
# whatever their impact.
STRUCTURE_RULES = ("landmark-one-main", "region", "page-has-heading-one")

PHONE_WIDTH = 390
DESKTOP_WIDTH = 1366


@dataclass(frozen=True)
class Look:
    """One way a person sees the portal: colour scheme and viewport width."""

    scheme: str  # "light" or "dark", as the operating system reports it
    width: int
    # Django admin's theme toggle (localStorage "theme"): "auto" follows the scheme.
    admin_theme: str = "auto"

    @property
    def id(self) -> str:
        toggle = "" if self.admin_theme == "auto" else f"-toggle-{self.admin_theme}"
        return f"{self.scheme}{toggle}-{self.width}"


LOOKS = [
    Look("light", DESKTOP_WIDTH),
    Look("light", PHONE_WIDTH),
    Look("dark", DESKTOP_WIDTH),
    Look("dark", PHONE_WIDTH),
]


def axe_source() -> Path:
    if not AXE_SOURCE.exists():
        raise AssertionError(
            f"{AXE_SOURCE} is missing: scripts/test installs it with `npm ci` "
            "(package-lock.json pins axe-core); run `npm ci` in the repository root"
        )
    return AXE_SOURCE


def look_context(new_context, look: Look, **options):
    """Open a browser context seeing the portal as `look`, with axe-core on every page."""
    context = new_context(
        viewport={"width": look.width, "height": 900},
        color_scheme=look.scheme,
        **options,
    )
    # Django admin's theme.js reads this key on load; set it before any page script runs.
    context.add_init_script(
        f"try {{ localStorage.setItem('theme', '{look.admin_theme}'); }} catch (e) {{}}"
    )
    context.add_init_script(path=str(axe_source()))
    return context


def axe_violations(page, *, exclude: tuple[str, ...] = ()) -> list[dict]:
    """Run axe on the page as it is now; return its critical/serious and structure violations."""
    page.wait_for_load_state("load")
    results = page.evaluate(
        """async ([tags, exclude, structure]) => {
            if (!window.axe) { throw new Error("axe-core was not injected into " + location.href); }
            const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
            return await window.axe.run(context, {
                runOnly: {type: "tag", values: tags},
                // A rule's own "enabled" beats runOnly in axe, so these run beside the tags.
                rules: Object.fromEntries(structure.map((id) => [id, {enabled: true}])),
                resultTypes: ["violations"],
            });
        }""",
        [WCAG_22_AA, list(exclude), list(STRUCTURE_RULES)],
    )
    return [
        v
        for v in results["violations"]
        if v["impact"] in BLOCKING_IMPACTS or v["id"] in STRUCTURE_RULES
    ]


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0: no sideways scroll)."""
    return page.evaluate(
        "() => Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)"
    )


def describe_violations(where: str, violations: list[dict]) -> str:
    """A readable list: rule id, impact, summary and up to five target selectors per rule."""
    lines = [f"{where}: {len(violations)} blocking axe violation(s)"]
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({len(nodes)} element(s)) {violation['helpUrl']}"
        )
        for node in nodes[:5]:
            target = " ".join(
                " >> ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            lines.append(f"      {target}: {summary[:300]}")
        if len(nodes) > 5:
            lines.append(f"      ... and {len(nodes) - 5} more")
    return "\n".join(lines)


class AxeReport:
    """Collects the problems of many pages so one run shows all of them, not just the first."""

    def __init__(self):
        self.problems: list[str] = []

    def check(self, page, where: str, *, exclude: tuple[str, ...] = (), phone: bool = False):
        violations = axe_violations(page, exclude=exclude)
        if violations:
            self.problems.append(describe_violations(where, violations))
        if phone:
            overflow = horizontal_overflow(page)
            if overflow:
                self.problems.append(
                    f"{where}: the document is {overflow}px wider than the "
                    f"{page.viewport_size['width']}px viewport (sideways scroll)"
                )

    def assert_clean(self):
        assert not self.problems, "\n\n".join(self.problems)
