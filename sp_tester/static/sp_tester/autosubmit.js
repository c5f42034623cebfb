// Post the SAML form at once: the HTTP-POST binding is a form the browser carries across.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("sp-tester-post-form");
  if (form) form.submit();
});
