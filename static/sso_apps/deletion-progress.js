// Poll a deletion job's progress and update the page until the job has finished.
(function () {
  "use strict";
  var root = document.querySelector(".deletion-job");
  if (!root || root.dataset.finished === "true" || !window.fetch) { return; }
  var url = root.dataset.progressUrl;
  function show(id, value) { document.getElementById(id).textContent = value; }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        var bar = document.getElementById("job-progress");
        bar.max = data.total; bar.value = data.done; bar.textContent = data.percent + "%";
        show("job-status", data.status_label);
        show("job-done", data.done);
        show("job-total", data.total);
        show("job-deleted", data.deleted);
        show("job-percent", data.percent);
        var error = document.getElementById("job-error");
        error.textContent = data.error; error.hidden = !data.error;
        if (data.finished) { document.getElementById("job-finished-note").hidden = false; return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
