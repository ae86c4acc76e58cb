/* The CSRF token of the login session, from <meta name="csrf-token"> (base.html).
   Scripts send it as the X-CSRFToken header. The scanner, opened offline from a kept
   copy, fetches a fresh one and hands it to useCsrfToken. */

const meta = document.querySelector('meta[name="csrf-token"]');
let token = meta ? meta.content : "";

export function csrfToken() {
  return token;
}

/** Use a fresh token here and in the page's forms. */
export function useCsrfToken(fresh) {
  token = fresh;
  if (meta) {
    meta.content = fresh;
  }
  for (const input of document.querySelectorAll('input[name="csrf_token"]')) {
    input.value = fresh;
  }
}
