/* The page's configuration: the one JSON block a template writes with page_config()
   (lms/web/scripts.py), <script type="application/json" id="page-config">. It is data,
   not script, so pages run under a Content-Security-Policy without 'unsafe-inline'.
   Each script reads its own part: pageConfig("scanner"), pageConfig("study"), … */

const block = document.getElementById("page-config");
const config = block ? JSON.parse(block.textContent) : {};

/** This script's part of the configuration, or null when the page gives none. */
export function pageConfig(name) {
  return Object.prototype.hasOwnProperty.call(config, name) ? config[name] : null;
}

/** Fill the {name} placeholders of a URL made by url_template(). */
export function fillUrl(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    name in values ? encodeURIComponent(String(values[name])) : whole);
}

/** Fill the {name} placeholders of a translated message. */
export function format(message, values = {}) {
  return (message || "").replace(/\{(\w+)\}/g, (whole, name) =>
    name in values ? String(values[name]) : whole);
}
