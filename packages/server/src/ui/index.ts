/** The dashboard and app portal, served under /ui by the API process. */
export { registerUi } from './plugin.js';
