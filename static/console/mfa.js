// After django-otp-webauthn registers a passkey, go where the server says (the sign-in
// continues, or the first recovery codes are shown). Its own script only reports success.
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const url = event.detail && event.detail.response && event.detail.response.redirect_url;
  if (url && url.startsWith("/")) {
    window.location.assign(url);
  }
});
