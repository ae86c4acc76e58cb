/* The scanner page's settings (page_config "scanner" in templates/attendance/scanner.html):
   sessionId, staffId, urls {scans, numberScans, roster, csrfToken, worker, workerScope,
   logout} and the translated words: messages, statuses (by scan status) and reasons
   (by refusal reason). */
import { pageConfig } from "../page.js";

export const settings = pageConfig("scanner");
