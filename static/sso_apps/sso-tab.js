/* The SSO tab: copy buttons, formset rows, the certificate menu, the error summary and
   the unsaved-changes warning. The tab works without it; this only makes it quicker. */
"use strict";
(function () {
  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  // Copy buttons: the value is the text of the <code> beside the button. "Copied" goes to
  // a live region as well, because screen readers do not read a button's changed text.
  function setUpCopyButtons() {
    const status = document.getElementById("copy-status");
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      const source = document.getElementById(button.dataset.copy);
      if (!source) {
        return;
      }
      button.hidden = false;
      const visible = button.firstChild;
      const label = visible.textContent;
      let timer = null;
      button.addEventListener("click", function () {
        const text = source.textContent.trim();
        const done = function () {
          visible.textContent = "Copied";
          button.classList.add("is-done");
          if (status) {
            const name = document.getElementById(button.dataset.copy + "-label");
            // Cleared first so the same message twice is announced twice.
            status.textContent = "";
            window.setTimeout(function () {
              status.textContent = "Copied " + (name ? name.textContent : "") + ".";
            }, 50);
          }
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            visible.textContent = label;
            button.classList.remove("is-done");
          }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () {
            selectText(source);
          });
        } else {
          // Plain http (a local portal): select the value so Ctrl+C copies it.
          selectText(source);
          try {
            if (document.execCommand("copy")) {
              done();
            }
          } catch (error) {
            /* the selection stays for the admin to copy */
          }
        }
      });
    });
  }

  function selectText(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // "+ Add" under the ACS URL and attribute rows: clone the empty row.
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
        const html = template.innerHTML
          .replace(/__prefix__/g, String(index))
          .replace(/__number__/g, String(index + 1));
        const holder = document.createElement("template");
        holder.innerHTML = html.trim();
        const row = holder.content.firstElementChild;
        // An "empty" paragraph stands where there were no rows yet.
        body.querySelectorAll(":scope > p").forEach(function (empty) {
          empty.remove();
        });
        body.appendChild(row);
        total.value = String(index + 1);
        setUpAttributeRow(row);
        const first = row.querySelector("input[type=text], input:not([type])");
        if (first) {
          first.focus();
        }
        markChanged();
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

  // The certificate ▾ menu: Escape closes it and puts focus back on its button; a click
  // or focus outside closes it too.
  function setUpMenus() {
    document.querySelectorAll("details[data-menu]").forEach(function (menu) {
      const summary = menu.querySelector("summary");
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          event.preventDefault();
          menu.open = false;
          summary.focus();
        }
      });
      document.addEventListener("click", function (event) {
        if (menu.open && !menu.contains(event.target)) {
          menu.open = false;
        }
      });
      menu.addEventListener("focusout", function (event) {
        if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) {
          menu.open = false;
        }
      });
    });
  }

  // After a failed save: focus the summary so it is seen and read first. Its links open
  // a folded group before moving to the field inside.
  function setUpErrorSummary() {
    const summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) {
        return;
      }
      event.preventDefault();
      const folded = target.closest("details");
      if (folded) {
        folded.open = true;
      }
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
    });
    summary.focus();
  }

  // Warn before leaving with unsaved changes; never after Save (the form is submitting)
  // and never once the page shows the saved values again. A failed save counts as
  // unsaved: the admin's values are on the page but not stored.
  let changed = false;
  function markChanged() {
    changed = true;
  }

  function setUpUnsavedWarning() {
    const form = document.getElementById("sso-form");
    if (!form) {
      return;
    }
    changed = form.hasAttribute("data-unsaved");
    form.addEventListener("input", markChanged);
    form.addEventListener("change", markChanged);
    form.addEventListener("submit", function () {
      changed = false;
    });
    window.addEventListener("beforeunload", function (event) {
      if (changed) {
        event.preventDefault();
        // Older Chromium needs returnValue set to show the dialog.
        event.returnValue = "";
      }
    });
  }

  ready(function () {
    setUpCopyButtons();
    setUpFormsets();
    setUpMenus();
    setUpErrorSummary();
    setUpUnsavedWarning();
  });
})();
