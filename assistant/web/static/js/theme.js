// Light, dark or the system's scheme: applied before the page paints, switched from the header.
const KEY = "tandem-theme";
const CHOICES = ["system", "dark", "light"];
const root = document.documentElement;

function chosen() {
  const stored = localStorage.getItem(KEY);
  return CHOICES.includes(stored) ? stored : "system";
}

function apply(choice) {
  if (choice === "system") root.removeAttribute("data-theme");
  else root.dataset.theme = choice;
  const button = document.getElementById("theme-switch");
  if (button) {
    button.textContent = `Theme: ${choice}`;
    button.setAttribute("aria-label", `Theme: ${choice}. Switch theme`);
  }
}

apply(chosen());
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("theme-switch");
  apply(chosen());
  button?.addEventListener("click", () => {
    const next = CHOICES[(CHOICES.indexOf(chosen()) + 1) % CHOICES.length];
    localStorage.setItem(KEY, next);
    apply(next);
  });
});
