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

  // Copy buttons next to read-only values.
  function setUpCopyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      const input = document.getElementById(button.dataset.copy);
      if (!input) {
        return;
      }
      button.hidden = false;
      const label = button.textContent;
      button.addEventListener("click", function () {
        const done = function () {
          button.textContent = "Copied";
          button.classList.add("is-done");
          window.setTimeout(function () {
            button.textContent = label;
            button.classList.remove("is-done");
          }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done);
        } else {
          input.select();
          document.execCommand("copy");
          done();
        }
      });
      input.addEventListener("focus", function () {
        input.select();
      });
    });
  }

  // "+ Add" buttons of the ACS URL and attribute tables: clone the empty row.
  function setUpFormsets() {
    document.querySelectorAll("[data-formset-add]").forEach(function (button) {
      const prefix = button.dataset.formsetAdd;
      const template = document.querySelector('[data-formset-template="' + prefix + '"]');
      const body = document.querySelector('[data-formset="' + prefix + '"] [data-formset-body]');
      const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      if (!template || !body || !total) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        const index = Number(total.value);
        const html = template.innerHTML.replace(/__prefix__/g, String(index));
        const rows = document.createElement("tbody");
        rows.innerHTML = html;
        const row = rows.firstElementChild;
        body.appendChild(row);
        total.value = String(index + 1);
        setUpAttributeRow(row);
        const first = row.querySelector("input[type=text], input:not([type])");
        if (first) {
          first.focus();
        }
      });
    });
    document.querySelectorAll("[data-attribute-row]").forEach(setUpAttributeRow);
  }

  // A constant value only matters when the source is "constant".
  function setUpAttributeRow(row) {
    const source = row.querySelector("select[name$='-source']");
    const value = row.querySelector("input[name$='-value']");
    if (!source || !value) {
      return;
    }
    const sync = function () {
      const constant = source.value === "constant";
      value.disabled = !constant || source.disabled;
      value.placeholder = constant ? "Value to send" : "—";
    };
    source.addEventListener("change", sync);
    sync();
  }

  // Catalog type-ahead: ask the server (it searches every template, not just this page)
  // and patch the results in place. The admin's choice survives every re-render: a card
  // clicked before the results arrive stays checked, and one the new results leave out is
  // pinned above them, so Next never forgets it.
  function setUpCatalogSearch() {
    const form = document.querySelector("[data-catalog-search]");
    const catalog = document.getElementById("catalog-form");
    const results = document.getElementById("catalog-results");
    const count = document.getElementById("catalog-count");
    const choice = document.getElementById("catalog-choice");
    if (!form || !catalog || !results || !count || !choice) {
      return;
    }
    const input = form.querySelector("input[type=search]");
    const slot = choice.querySelector("[data-catalog-choice]");
    let timer = null;
    let latest = 0;
    let pending = null;

    const unpin = function () {
      slot.replaceChildren();
      choice.hidden = true;
    };

    // Re-check the choice among the fresh cards, or pin its card when they leave it out.
    const keep = function (radio) {
      if (!radio) {
        return;
      }
      const listed = Array.from(results.querySelectorAll("input[name=connector]")).find(
        function (candidate) {
          return candidate.value === radio.value;
        }
      );
      if (listed) {
        listed.checked = true;
        unpin();
        return;
      }
      if (!slot.contains(radio)) {
        slot.replaceChildren(radio.closest(".sso-card"));
      }
      radio.checked = true;
      choice.hidden = false;
    };

    const show = function (html, url) {
      const page = new DOMParser().parseFromString(html, "text/html");
      const fresh = page.getElementById("catalog-results");
      const freshCount = page.getElementById("catalog-count");
      if (!fresh || !freshCount) {
        return false;
      }
      // Read the choice now, not when the request left: the admin may have clicked since.
      // The containers stay in place (only their content changes), so the references
      // above stay live for every later keystroke.
      const radio = catalog.querySelector("input[name=connector]:checked");
      results.replaceChildren(...fresh.childNodes);
      keep(radio);
      count.textContent = freshCount.textContent;
      if (radio) {
        url.searchParams.set("connector", radio.value);
      }
      window.history.replaceState(null, "", url);
      return true;
    };

    // Only the newest request may render: an older one is aborted, and one that still
    // answers late is ignored.
    const load = function (url, navigateOnFailure) {
      url.searchParams.delete("connector");
      const request = ++latest;
      if (pending) {
        pending.abort();
      }
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
          if (request === latest && !show(html, url) && navigateOnFailure) {
            window.location.assign(url);
          }
        })
        .catch(function (error) {
          // A keystroke's failed search leaves the list as it was; an explicit Search or
          // page link falls back to the page the server renders without JavaScript.
          if (error.name !== "AbortError" && request === latest && navigateOnFailure) {
            window.location.assign(url);
          }
        });
    };

    const searchUrl = function () {
      const url = new URL(form.action, window.location.href);
      url.searchParams.set("q", input.value);
      return url;
    };

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        load(searchUrl(), false);
      }, 180);
    });
    // Search (or Enter), Clear and the page links re-render in place too, keeping the choice.
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      load(searchUrl(), true);
    });
    form.addEventListener("click", function (event) {
      if (event.target.closest("[data-catalog-clear]")) {
        event.preventDefault();
        input.value = "";
        input.focus();
        load(searchUrl(), true);
      }
    });
    results.addEventListener("click", function (event) {
      const link = event.target.closest(".sso-pager a[href]");
      if (link) {
        event.preventDefault();
        load(new URL(link.href), true);
      }
    });
    // Choosing another card drops the pinned one: only one choice is ever shown as kept.
    catalog.addEventListener("change", function (event) {
      if (event.target.name === "connector" && !slot.contains(event.target)) {
        unpin();
      }
    });
  }

  // Double-clicking a card means "select it and click Next". Delegated, so cards the
  // type-ahead swaps in (or pins) behave the same.
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

  // "Select all" for the tick boxes of the User Groups and Applications tabs.
  function setUpSelectAll() {
    document.querySelectorAll("[data-select-all]").forEach(function (toggle) {
      const table = toggle.closest("table");
      const boxes = table.querySelectorAll("tbody input[type=checkbox][name=checked]");
      toggle.hidden = false;
      const sync = function () {
        const ticked = Array.from(boxes).filter(function (box) {
          return box.checked;
        }).length;
        toggle.checked = boxes.length > 0 && ticked === boxes.length;
        toggle.indeterminate = ticked > 0 && ticked < boxes.length;
      };
      toggle.addEventListener("change", function () {
        boxes.forEach(function (box) {
          box.checked = toggle.checked;
          box.closest("tr").classList.toggle("is-selected", toggle.checked);
        });
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
    setUpCopyButtons();
    setUpFormsets();
    setUpCatalogSearch();
    setUpCatalogCards();
    setUpDeleteConfirmation();
    setUpRowLinks();
    setUpSelectAll();
    setUpPortalImage();
  });
})();
