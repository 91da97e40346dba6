// Wide tables and charts scroll sideways on a phone: each such region takes keyboard focus, with a
// name, so it can be scrolled without a mouse (WCAG 2.1.1; axe's scrollable-region-focusable).
(() => {
  const SELECTOR = ".table-wrap, .chart-scroll";

  function nameOf(region) {
    const table = region.querySelector("table");
    const caption = table?.querySelector("caption")?.textContent?.trim();
    if (caption) return caption;
    for (let node = region.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) return node.textContent.trim();
    }
    const section = region.closest("[aria-labelledby]");
    const heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    return heading?.textContent?.trim() || "Table";
  }

  function mark() {
    for (const region of document.querySelectorAll(SELECTOR)) {
      if (region.hasAttribute("tabindex")) continue;
      region.tabIndex = 0;
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", nameOf(region));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    mark();
    new MutationObserver(mark).observe(document.body, { childList: true, subtree: true });
  });
})();
