/**
 * The messages between the dashboard's portal settings and the portal page
 * in its preview frame (`/portal/preview`), same origin only: the frame says
 * it is ready, the dashboard sends the sample order as the form stands.
 */
export const PREVIEW_READY = "delivery.portal-preview-ready";
export const PREVIEW_VIEW = "delivery.portal-preview";
