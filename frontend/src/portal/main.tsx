import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { PortalApp } from "./portal-app";
import "./portal.css";

const root = document.getElementById("portal");
const code = decodeURIComponent(window.location.pathname.split("/").filter(Boolean)[1] ?? "");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <PortalApp code={code} />
    </StrictMode>,
  );
}
