import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { PortalApp, PortalPreview } from "./portal-app";
import "./portal.css";

const root = document.getElementById("portal");
// `preview` is no portal code (those are 32 random characters): inside the
// dashboard's settings it is the live preview of the portal.
const code = decodeURIComponent(window.location.pathname.split("/").filter(Boolean)[1] ?? "");
if (root) {
  createRoot(root).render(
    <StrictMode>
      {code === "preview" && window.parent !== window ? <PortalPreview /> : <PortalApp code={code} />}
    </StrictMode>,
  );
}
