import { createBrowserRouter } from "react-router";

import { Layout } from "./components/layout";

// Every screen is its own chunk: the first load carries only the frame.
export const router = createBrowserRouter([
  { path: "/signin", lazy: () => import("./pages/sign-in").then((m) => ({ Component: m.SignIn })) },
  { path: "/signup", lazy: () => import("./pages/sign-up").then((m) => ({ Component: m.SignUp })) },
  {
    path: "/",
    Component: Layout,
    children: [
      { index: true, lazy: () => import("./pages/home").then((m) => ({ Component: m.Home })) },
      { path: "storage", lazy: () => import("./pages/storage/list").then((m) => ({ Component: m.StorageList })) },
      { path: "storage/new", lazy: () => import("./pages/storage/edit").then((m) => ({ Component: m.StorageEdit })) },
      { path: "storage/:id", lazy: () => import("./pages/storage/edit").then((m) => ({ Component: m.StorageEdit })) },
      { path: "articles", lazy: () => import("./pages/articles/list").then((m) => ({ Component: m.ArticleList })) },
      { path: "articles/new", lazy: () => import("./pages/articles/edit").then((m) => ({ Component: m.ArticleEdit })) },
      { path: "articles/:id", lazy: () => import("./pages/articles/edit").then((m) => ({ Component: m.ArticleEdit })) },
      { path: "orders", lazy: () => import("./pages/orders/list").then((m) => ({ Component: m.OrderList })) },
      { path: "orders/new", lazy: () => import("./pages/orders/new").then((m) => ({ Component: m.OrderNew })) },
      { path: "orders/:id", lazy: () => import("./pages/orders/page").then((m) => ({ Component: m.OrderPage })) },
      { path: "invoices", lazy: () => import("./pages/invoices").then((m) => ({ Component: m.InvoiceList })) },
      { path: "settings", lazy: () => import("./pages/settings/index").then((m) => ({ Component: m.Settings })) },
      { path: "*", lazy: () => import("./pages/not-found").then((m) => ({ Component: m.NotFound })) },
    ],
  },
]);
