/* SSO Applications screens: small progressive enhancements. Every page works without it. */
"use strict";
(function () {
  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  // The SSO tab's copy buttons, formset rows and menus are in sso-tab.js.

  // --- Catalog (Add New Application, step 1) ---------------------------------------------
  // The type-ahead patches the results in place. The admin's choice survives every
  // re-render and every page load from the catalog: a card clicked before the results
  // arrive stays checked, and one the results leave out is pinned above them, so Next
  // never forgets it.

  function catalogChoice() {
    return document.querySelector("#catalog-form input[name=connector]:checked");
  }

  // Return the URL carrying the current choice, which the server checks or pins.
  function catalogWithChoice(url) {
    const radio = catalogChoice();
    url.searchParams.delete("connector");
    if (radio) {
      url.searchParams.set("connector", radio.value);
    }
    return url;
  }

  function catalogUnpin() {
    document.querySelector("[data-catalog-choice]").replaceChildren();
    document.getElementById("catalog-choice").hidden = true;
  }

  // Re-check the choice among the listed cards, or pin its card when they leave it out.
  function catalogKeep(radio) {
    const listed = Array.from(
      document.querySelectorAll("#catalog-results input[name=connector]")
    ).find(function (candidate) {
      return candidate.value === radio.value;
    });
    if (listed) {
      listed.checked = true;
      catalogUnpin();
      return;
    }
    const slot = document.querySelector("[data-catalog-choice]");
    if (!slot.contains(radio)) {
      slot.replaceChildren(radio.closest(".sso-card"));
    }
    radio.checked = true;
    document.getElementById("catalog-choice").hidden = false;
  }

  // Patch the count and the results from a rendered catalog page. The containers stay
  // in place (only their content changes), so later keystrokes keep updating them.
  function catalogRender(html, url) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const fresh = page.getElementById("catalog-results");
    const freshCount = page.getElementById("catalog-count");
    if (!fresh || !freshCount) {
      return;
    }
    // Read the choice now, not when the request left: the admin may have clicked since.
    const radio = catalogChoice();
    document.getElementById("catalog-results").replaceChildren(...fresh.childNodes);
    if (radio) {
      catalogKeep(radio);
    }
    // Only this text changes in the live region, so screen readers hear the new count.
    document.getElementById("catalog-count").textContent = freshCount.textContent;
    window.history.replaceState(null, "", catalogWithChoice(url));
  }

  // Search (or Enter) stays a plain page load; it carries the choice made since.
  function catalogCarryChoice(form) {
    const radio = catalogChoice();
    let kept = form.querySelector("input[type=hidden][name=connector]");
    if (!radio) {
      if (kept) {
        kept.remove();
      }
      return;
    }
    if (!kept) {
      kept = document.createElement("input");
      kept.type = "hidden";
      kept.name = "connector";
      form.append(kept);
    }
    kept.value = radio.value;
  }

  function setUpCatalogSearch() {
    const form = document.querySelector("[data-catalog-search]");
    if (!form || !document.getElementById("catalog-choice")) {
      return;
    }
    const input = form.querySelector("input[type=search]");
    let timer = null;
    let latest = 0;
    let pending = null;
    // Only the newest request may render: an older one is aborted, and one that still
    // answers late is ignored. A failed search leaves the list as it was; Search still works.
    const forget = function () {
      window.clearTimeout(timer);
      latest += 1;
      if (pending) {
        pending.abort();
      }
    };
    const load = function (url) {
      forget();
      const request = latest;
      pending = new AbortController();
      fetch(url, {
        headers: { "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
        signal: pending.signal,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.statusText);
          }
          return response.text();
        })
        .then(function (html) {
          if (request === latest) {
            catalogRender(html, url);
          }
        })
        .catch(function () {});
    };
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        const url = new URL(form.action, window.location.href);
        url.searchParams.set("q", input.value);
        load(url);
      }, 180);
    });
    form.addEventListener("submit", function () {
      forget();
      catalogCarryChoice(form);
    });
    // Clear and the page links are plain page loads too.
    document.addEventListener("click", function (event) {
      const link = event.target.closest("[data-catalog-clear], #catalog-results .sso-pager a");
      if (link) {
        forget();
        link.href = catalogWithChoice(new URL(link.href)).href;
      }
    });
  }

  // --- Catalog keyboard ----------------------------------------------------------------
  // Pattern: the grid is one radio group (native radios, role=radiogroup), as the ARIA
  // radio group pattern says. Tab enters it once, at the chosen card or else the first;
  // Left/Right move one card, Up/Down one row of the grid as laid out, Home/End to the
  // first/last card, and moving chooses (as native radios do). Enter on a card is Next.
  // From the search box ArrowDown moves into the results; a search sent with Enter
  // (a page load) lands in the results too. Relies on: #catalog-results, .sso-card,
  // input[name=connector], [data-catalog-search], #catalog-form.

  const CATALOG_FOCUS_KEY = "tessera.catalog.focusResults";

  function catalogRadios() {
    return Array.from(document.querySelectorAll("#catalog-results input[name=connector]"));
  }

  // Focus the chosen card among the results, else the first; false if there is none.
  function catalogFocusResults() {
    const radios = catalogRadios();
    const target =
      radios.find(function (radio) {
        return radio.checked;
      }) || radios[0];
    if (!target) {
      return false;
    }
    target.focus();
    return true;
  }

  // Return the radio one row above (-1) or below (+1) `radio`, in the column nearest its own.
  function catalogRowNeighbour(radios, radio, direction) {
    const card = function (r) {
      return r.closest(".sso-card").getBoundingClientRect();
    };
    const here = card(radio);
    const rows = radios.filter(function (r) {
      const box = card(r);
      return direction > 0 ? box.top > here.top + 1 : box.top < here.top - 1;
    });
    if (!rows.length) {
      return null;
    }
    const rowTop = direction > 0
      ? Math.min.apply(null, rows.map(function (r) { return card(r).top; }))
      : Math.max.apply(null, rows.map(function (r) { return card(r).top; }));
    const row = rows.filter(function (r) {
      return Math.abs(card(r).top - rowTop) <= 1;
    });
    return row.reduce(function (best, r) {
      return Math.abs(card(r).left - here.left) < Math.abs(card(best).left - here.left) ? r : best;
    });
  }

  function catalogChoose(radio) {
    radio.focus();
    if (!radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function setUpCatalogKeyboard() {
    const catalog = document.getElementById("catalog-form");
    const search = document.querySelector("[data-catalog-search]");
    if (!catalog) {
      return;
    }
    catalog.addEventListener("keydown", function (event) {
      const radio = event.target;
      if (radio.name !== "connector" || !radio.closest("#catalog-results")) {
        return;
      }
      const radios = catalogRadios();
      const index = radios.indexOf(radio);
      let target = null;
      if (event.key === "ArrowRight") {
        target = radios[Math.min(index + 1, radios.length - 1)];
      } else if (event.key === "ArrowLeft") {
        target = radios[Math.max(index - 1, 0)];
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        target = catalogRowNeighbour(radios, radio, event.key === "ArrowDown" ? 1 : -1);
        if (!target && event.key === "ArrowUp" && search) {
          // Above the first row: back to the search box.
          event.preventDefault();
          search.querySelector("input[type=search]").focus();
          return;
        }
        target = target || radio;
      } else if (event.key === "Home") {
        target = radios[0];
      } else if (event.key === "End") {
        target = radios[radios.length - 1];
      } else if (event.key === "Enter") {
        event.preventDefault();
        catalogChoose(radio);
        catalog.requestSubmit();
        return;
      } else {
        return;
      }
      event.preventDefault();
      catalogChoose(target);
    });
    if (!search) {
      return;
    }
    const input = search.querySelector("input[type=search]");
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && catalogFocusResults()) {
        event.preventDefault();
      }
    });
    search.addEventListener("submit", function () {
      try {
        window.sessionStorage.setItem(CATALOG_FOCUS_KEY, "1");
      } catch (error) {
        // Storage may be off; the search still works, focus stays at the top.
      }
    });
    let landed = null;
    try {
      landed = window.sessionStorage.getItem(CATALOG_FOCUS_KEY);
      window.sessionStorage.removeItem(CATALOG_FOCUS_KEY);
    } catch (error) {
      landed = null;
    }
    if (landed && !catalogFocusResults()) {
      input.focus();
    }
  }

  // Double-clicking a card means "select it and click Next"; choosing a listed card drops
  // the pinned one. Delegated, so cards the type-ahead swaps in (or pins) behave the same.
  function setUpCatalogCards() {
    const catalog = document.getElementById("catalog-form");
    if (!catalog) {
      return;
    }
    catalog.addEventListener("dblclick", function (event) {
      const card = event.target.closest(".sso-card");
      if (!card) {
        return;
      }
      card.querySelector("input[type=radio]").checked = true;
      catalog.requestSubmit();
    });
    catalog.addEventListener("change", function (event) {
      if (event.target.name === "connector" && !event.target.closest("[data-catalog-choice]")) {
        catalogUnpin();
      }
    });
  }

  // Delete Application stays disabled until the typed number equals the selection.
  function setUpDeleteConfirmation() {
    const form = document.querySelector("[data-delete-confirm]");
    if (!form) {
      return;
    }
    const expected = form.dataset.deleteConfirm;
    const input = form.querySelector("input[name=confirmation_count]");
    const button = form.querySelector("[data-delete-button]");
    const sync = function () {
      button.disabled = input.value.trim() !== expected;
    };
    input.addEventListener("input", sync);
    sync();
    input.focus();
  }

  // Clicking anywhere in a list row opens the application, as in the product.
  function setUpRowLinks() {
    document.querySelectorAll(".model-application #result_list tbody tr").forEach(function (row) {
      const link = row.querySelector(".field-display_label a");
      if (!link) {
        return;
      }
      row.dataset.rowLink = link.href;
      row.addEventListener("click", function (event) {
        if (event.target.closest("a, input, label, button, select")) {
          return;
        }
        window.location.href = link.href;
      });
    });
  }

  // "Select all" for the tick boxes of the User Groups and Applications tabs, and the
  // "N selected in total" line, recounted as boxes are ticked (rows selected on other
  // pages are in data-elsewhere; data-one/data-other are the server's plural forms).
  function setUpSelectAll() {
    document.querySelectorAll("[data-select-all]").forEach(function (toggle) {
      const table = toggle.closest("table");
      const boxes = table.querySelectorAll("tbody input[type=checkbox][name=checked]");
      const total = toggle.closest("form").querySelector("[data-selected-total]");
      toggle.hidden = false;
      const sync = function () {
        const ticked = Array.from(boxes).filter(function (box) {
          return box.checked;
        }).length;
        toggle.checked = boxes.length > 0 && ticked === boxes.length;
        toggle.indeterminate = ticked > 0 && ticked < boxes.length;
        if (total) {
          const count = Number(total.dataset.elsewhere) + ticked;
          const form = count === 1 ? total.dataset.one : total.dataset.other;
          total.textContent = form.replace("__count__", String(count));
        }
      };
      toggle.addEventListener("change", function () {
        boxes.forEach(function (box) {
          box.checked = toggle.checked;
          box.closest("tr").classList.toggle("is-selected", toggle.checked);
        });
        sync();
      });
      boxes.forEach(function (box) {
        box.addEventListener("change", function () {
          box.closest("tr").classList.toggle("is-selected", box.checked);
          sync();
        });
      });
      sync();
    });
  }

  // User Portal Image: show the upload or colour input only for the matching choice.
  function setUpPortalImage() {
    const radios = document.querySelectorAll("input[name=portal_image_kind]");
    if (!radios.length) {
      return;
    }
    const upload = document.querySelector(".form-row.field-portal_image");
    const color = document.querySelector(".form-row.field-portal_color");
    const sync = function () {
      const checked = document.querySelector("input[name=portal_image_kind]:checked");
      const kind = checked ? checked.value : "logo";
      if (upload) {
        upload.hidden = kind !== "upload" && !upload.querySelector(".errorlist");
      }
      if (color) {
        color.hidden = kind !== "color";
      }
    };
    radios.forEach(function (radio) {
      radio.addEventListener("change", sync);
    });
    sync();
  }

  ready(function () {
    setUpCatalogSearch();
    setUpCatalogCards();
    setUpCatalogKeyboard();
    setUpDeleteConfirmation();
    setUpRowLinks();
    setUpSelectAll();
    setUpPortalImage();
  });
})();
