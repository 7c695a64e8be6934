// The Live / History / Athletes tabs, as a tab list should behave (WAI-ARIA Authoring Practices):
// a tap or Enter opens one; the arrow keys, Home and End move to the next, previous, first or
// last one and open it; Tab leaves the list (only the open tab is in the tab order).

const KEYS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/** `views`: the names, in order, of `#<name>-tab` and `#<name>-view`; `show(name)` opens one. */
export function setUpTabs(views, show) {
  const tabs = views.map((name) => document.getElementById(`${name}-tab`));
  const select = (index, focus) => {
    tabs.forEach((tab, i) => {
      tab.setAttribute("aria-selected", String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
    });
    if (focus) tabs[index].focus();
    show(views[index]);
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => select(index, false));
    tab.addEventListener("keydown", (event) => {
      let next = null;
      if (event.key in KEYS) next = (index + KEYS[event.key] + tabs.length) % tabs.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = tabs.length - 1;
      if (next === null) return;
      event.preventDefault();
      select(next, true);
    });
  });
}
