/* The header bell's dropdown: the latest notifications, the unread count, mark read.
 *
 * Without this script the bell is a link to the full list. With it the link becomes a
 * disclosure button (aria-expanded, aria-controls): opening it loads the panel from the
 * server and moves focus to its heading; Escape, a click outside or Tab past its end
 * close it (Escape returns focus to the bell). "Mark read" and "Mark all as read" are
 * forms with the CSRF token, posted here with fetch so the panel stays open.
 */
"use strict";
(function () {
  function setUp(menu) {
    const link = menu.querySelector("[data-notification-bell]");
    const panel = menu.querySelector(".notification-panel");
    if (!link || !panel) {
      return;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.innerHTML = link.innerHTML;
    button.title = link.title;
    button.setAttribute("aria-label", link.getAttribute("aria-label"));
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", panel.id);
    button.dataset.listUrl = link.href;
    link.replaceWith(button);

    const dropdownUrl = function () {
      const url = new URL(menu.dataset.dropdownUrl, window.location.href);
      url.searchParams.set("next", window.location.pathname + window.location.search);
      return url;
    };

    // Show the count the server just rendered on the bell itself.
    const syncBell = function (body) {
      button.setAttribute("aria-label", body.dataset.bellLabel);
      button.title = body.dataset.bellTitle;
      let badge = button.querySelector(".notification-count");
      const unread = Number(body.dataset.unread);
      if (unread && !badge) {
        badge = document.createElement("span");
        badge.className = "notification-count";
        button.append(" ", badge);
      }
      if (badge) {
        if (unread) {
          badge.textContent = String(unread);
        } else {
          badge.remove();
        }
      }
    };

    const load = function () {
      return fetch(dropdownUrl(), {
        headers: { "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.statusText);
          }
          return response.text();
        })
        .then(function (html) {
          const page = new DOMParser().parseFromString(html, "text/html");
          const body = page.querySelector(".notification-panel__body");
          if (!body) {
            throw new Error("no panel");
          }
          panel.replaceChildren(document.importNode(body, true));
          syncBell(body);
        });
    };

    const isOpen = function () {
      return button.getAttribute("aria-expanded") === "true";
    };
    const close = function (returnFocus) {
      if (!isOpen()) {
        return;
      }
      button.setAttribute("aria-expanded", "false");
      panel.hidden = true;
      if (returnFocus) {
        button.focus();
      }
    };
    const focusHeading = function () {
      const heading = panel.querySelector(".notification-panel__title");
      if (heading) {
        heading.focus();
      }
    };
    const open = function () {
      button.setAttribute("aria-expanded", "true");
      panel.hidden = false;
      load()
        .then(focusHeading)
        .catch(function () {
          // The list still works: go there rather than show an empty panel.
          window.location.href = button.dataset.listUrl;
        });
    };

    button.addEventListener("click", function () {
      if (isOpen()) {
        close(false);
      } else {
        open();
      }
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        event.preventDefault();
        close(true);
      }
    });
    document.addEventListener("click", function (event) {
      if (!menu.contains(event.target)) {
        close(false);
      }
    });
    menu.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !menu.contains(event.relatedTarget)) {
        close(false);
      }
    });
    panel.addEventListener("submit", function (event) {
      const form = event.target.closest("form[data-notification-read]");
      if (!form) {
        return;
      }
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.statusText);
          }
          return load();
        })
        .then(focusHeading)
        .catch(function () {
          form.submit();
        });
    });
  }

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  ready(function () {
    document.querySelectorAll("[data-notifications]").forEach(setUp);
  });
})();
