/**
 * The staff areas: ONE list drives both the navbar and the routes. A later area (Products,
 * Inventory, Services, Contracts, Provisioning, Billing, Tickets, Reports) is one more entry
 * here once its feature folder exists; nothing is listed before its pages do.
 */
import {
  IconAntenna,
  IconBox,
  IconCashOff,
  IconClockPlay,
  IconCreditCard,
  IconFileDescription,
  IconFileImport,
  IconFileInvoice,
  IconHistory,
  IconKey,
  IconMailForward,
  IconPackages,
  IconReceiptRefund,
  IconRocket,
  IconScale,
  IconShieldCheck,
  IconTicket,
  IconUserCog,
  IconUsers,
  type Icon,
} from "@tabler/icons-react";
import { lazy } from "react";
import type { RouteObject } from "react-router";
import { RequirePermission } from "./guards";

const CustomersPage = lazy(() => import("@/features/customers").then((m) => ({ default: m.CustomersPage })));
const CustomerDetailPage = lazy(() => import("@/features/customers").then((m) => ({ default: m.CustomerDetailPage })));
const ProductsPage = lazy(() => import("@/features/catalog").then((m) => ({ default: m.ProductsPage })));
const ProductDetailPage = lazy(() => import("@/features/catalog").then((m) => ({ default: m.ProductDetailPage })));
const StockPage = lazy(() => import("@/features/inventory").then((m) => ({ default: m.StockPage })));
const ItemsPage = lazy(() => import("@/features/inventory").then((m) => ({ default: m.ItemsPage })));
const ItemDetailPage = lazy(() => import("@/features/inventory").then((m) => ({ default: m.ItemDetailPage })));
const ImportPage = lazy(() => import("@/features/inventory").then((m) => ({ default: m.ImportPage })));
const InventoryTemplatesPage = lazy(() =>
  import("@/features/inventory").then((m) => ({ default: m.InventoryTemplatesPage })),
);
const ServicesPage = lazy(() => import("@/features/services").then((m) => ({ default: m.ServicesPage })));
const ServiceDetailPage = lazy(() => import("@/features/services").then((m) => ({ default: m.ServiceDetailPage })));
const ContractsPage = lazy(() => import("@/features/contracts").then((m) => ({ default: m.ContractsPage })));
const ContractDetailPage = lazy(() => import("@/features/contracts").then((m) => ({ default: m.ContractDetailPage })));
const ContractWizardPage = lazy(() => import("@/features/contracts").then((m) => ({ default: m.ContractWizardPage })));
const ProvisioningDashboard = lazy(() =>
  import("@/features/provisioning").then((m) => ({ default: m.ProvisioningDashboard })),
);
const ProvisionJobsPage = lazy(() => import("@/features/provisioning").then((m) => ({ default: m.ProvisionJobsPage })));
const ProvisionJobPage = lazy(() => import("@/features/provisioning").then((m) => ({ default: m.ProvisionJobPage })));
const InvoicesPage = lazy(() => import("@/features/billing").then((m) => ({ default: m.InvoicesPage })));
const InvoiceDetailPage = lazy(() => import("@/features/billing").then((m) => ({ default: m.InvoiceDetailPage })));
const BillingRunsPage = lazy(() => import("@/features/billing").then((m) => ({ default: m.BillingRunsPage })));
const BillingRunPage = lazy(() => import("@/features/billing").then((m) => ({ default: m.BillingRunPage })));
const DunningPage = lazy(() => import("@/features/payments").then((m) => ({ default: m.DunningPage })));
const ReconciliationsPage = lazy(() => import("@/features/payments").then((m) => ({ default: m.ReconciliationsPage })));
const ReconciliationPage = lazy(() => import("@/features/payments").then((m) => ({ default: m.ReconciliationPage })));
const ExpiringCardsPage = lazy(() => import("@/features/payments").then((m) => ({ default: m.ExpiringCardsPage })));
const PaymentDetailPage = lazy(() => import("@/features/payments").then((m) => ({ default: m.PaymentDetailPage })));
const TicketBoard = lazy(() => import("@/features/tickets").then((m) => ({ default: m.TicketBoard })));
const TicketDetailPage = lazy(() => import("@/features/tickets").then((m) => ({ default: m.TicketDetailPage })));
const OutboxPage = lazy(() => import("@/features/notifications").then((m) => ({ default: m.OutboxPage })));
const TemplatesPage = lazy(() => import("@/features/notifications").then((m) => ({ default: m.TemplatesPage })));
const NotificationPage = lazy(() => import("@/features/notifications").then((m) => ({ default: m.NotificationPage })));
const ImportsPage = lazy(() => import("@/features/imports").then((m) => ({ default: m.ImportsPage })));
const ImportJobPage = lazy(() => import("@/features/imports").then((m) => ({ default: m.ImportJobPage })));
const ActivityPage = lazy(() => import("@/features/activity").then((m) => ({ default: m.ActivityPage })));
const UsersPage = lazy(() => import("@/features/admin").then((m) => ({ default: m.UsersPage })));
const RolesPage = lazy(() => import("@/features/admin").then((m) => ({ default: m.RolesPage })));
const ApiKeysPage = lazy(() => import("@/features/admin").then((m) => ({ default: m.ApiKeysPage })));
const SchedulerPage = lazy(() => import("@/features/scheduler").then((m) => ({ default: m.SchedulerPage })));

export interface Section {
  /** URL segment under "/", e.g. "customers". */
  path: string;
  label: string;
  icon: Icon;
  /** Needed to see the nav entry and to open any of its pages. */
  permission?: string;
  /** The area's pages, relative to `path`. */
  routes: RouteObject[];
  /** False: pages reached from links only (a payment), no entry in the navbar. */
  nav?: boolean;
}

export const sections: Section[] = [
  {
    path: "customers",
    label: "Customers",
    icon: IconUsers,
    permission: "customer.read",
    routes: [
      { index: true, element: <CustomersPage /> },
      { path: ":customerId", element: <CustomerDetailPage /> },
      {
        // The "New contract" wizard (features/contracts) starts from the customer.
        path: ":customerId/contracts/new",
        element: <RequirePermission permission="contract.write" />,
        children: [{ index: true, element: <ContractWizardPage /> }],
      },
    ],
  },
  {
    path: "products",
    label: "Products",
    icon: IconBox,
    permission: "product.read",
    routes: [
      { index: true, element: <ProductsPage /> },
      { path: ":productId", element: <ProductDetailPage /> },
    ],
  },
  {
    path: "inventory",
    label: "Inventory",
    icon: IconPackages,
    permission: "inventory.read",
    routes: [
      { index: true, element: <StockPage /> },
      { path: "items", element: <ItemsPage /> },
      { path: "items/:inventoryId", element: <ItemDetailPage /> },
      { path: "templates", element: <InventoryTemplatesPage /> },
      {
        // A stock import is an import job: inventory.write and import.write.
        path: "import",
        element: <RequirePermission permission="inventory.write" />,
        children: [
          {
            element: <RequirePermission permission="import.write" />,
            children: [{ index: true, element: <ImportPage /> }],
          },
        ],
      },
    ],
  },
  {
    path: "services",
    label: "Services",
    icon: IconAntenna,
    permission: "service.read",
    routes: [
      { index: true, element: <ServicesPage /> },
      { path: ":serviceId", element: <ServiceDetailPage /> },
    ],
  },
  {
    path: "contracts",
    label: "Contracts",
    icon: IconFileDescription,
    permission: "contract.read",
    routes: [
      { index: true, element: <ContractsPage /> },
      { path: ":contractId", element: <ContractDetailPage /> },
    ],
  },
  {
    path: "provisioning",
    label: "Provisioning",
    icon: IconRocket,
    permission: "provision.read",
    routes: [
      { index: true, element: <ProvisioningDashboard /> },
      { path: "jobs", element: <ProvisionJobsPage /> },
      { path: ":provisionId", element: <ProvisionJobPage /> },
    ],
  },
  {
    path: "invoices",
    label: "Invoices",
    icon: IconFileInvoice,
    permission: "invoice.read",
    routes: [
      { index: true, element: <InvoicesPage /> },
      { path: ":invoiceId", element: <InvoiceDetailPage /> },
    ],
  },
  {
    path: "billing/runs",
    label: "Billing runs",
    icon: IconReceiptRefund,
    permission: "invoice.read",
    routes: [
      { index: true, element: <BillingRunsPage /> },
      { path: ":runId", element: <BillingRunPage /> },
    ],
  },
  {
    path: "payments/dunning",
    label: "Dunning",
    icon: IconCashOff,
    permission: "payment.read",
    routes: [{ index: true, element: <DunningPage /> }],
  },
  {
    path: "payments/reconciliation",
    label: "Reconciliation",
    icon: IconScale,
    permission: "payment.reconcile",
    routes: [
      { index: true, element: <ReconciliationsPage /> },
      { path: ":reconciliationId", element: <ReconciliationPage /> },
    ],
  },
  {
    path: "payments/expiring-cards",
    label: "Expiring cards",
    icon: IconCreditCard,
    permission: "payment.read",
    routes: [{ index: true, element: <ExpiringCardsPage /> }],
  },
  {
    // One payment (a reconciliation finding links to it); the static paths above win over ":paymentId".
    path: "payments",
    label: "Payment",
    icon: IconCreditCard,
    permission: "payment.read",
    nav: false,
    routes: [{ path: ":paymentId", element: <PaymentDetailPage /> }],
  },
  {
    path: "tickets",
    label: "Tickets",
    icon: IconTicket,
    permission: "ticket.read",
    routes: [
      { index: true, element: <TicketBoard /> },
      { path: ":ticketId", element: <TicketDetailPage /> },
    ],
  },
  {
    // Every message sent or tried; "templates" wins over ":notificationId".
    path: "outbox",
    label: "Outbox",
    icon: IconMailForward,
    permission: "notification.read",
    routes: [
      { index: true, element: <OutboxPage /> },
      { path: "templates", element: <TemplatesPage /> },
      { path: ":notificationId", element: <NotificationPage /> },
    ],
  },
  {
    path: "activity",
    label: "Activity",
    icon: IconHistory,
    permission: "activity.read",
    routes: [{ index: true, element: <ActivityPage /> }],
  },
  {
    // Bulk registration of subscribers (and the stock imports) from a CSV (admins: import.write).
    path: "imports",
    label: "Imports",
    icon: IconFileImport,
    permission: "import.write",
    routes: [
      { index: true, element: <ImportsPage /> },
      { path: ":importId", element: <ImportJobPage /> },
    ],
  },
  {
    // Admin settings: beside /settings/security (the user menu), listed for admins only.
    path: "settings/scheduler",
    label: "Scheduler",
    icon: IconClockPlay,
    permission: "scheduler.read",
    routes: [{ index: true, element: <SchedulerPage /> }],
  },
  {
    // Admin settings: staff accounts (user.write to change them, checked on the page).
    path: "settings/users",
    label: "Users",
    icon: IconUserCog,
    permission: "user.read",
    routes: [{ index: true, element: <UsersPage /> }],
  },
  {
    path: "settings/roles",
    label: "Roles",
    icon: IconShieldCheck,
    permission: "role.read",
    routes: [{ index: true, element: <RolesPage /> }],
  },
  {
    // One's own integration keys (every key for user admins); also in the user menu.
    path: "settings/api-keys",
    label: "API keys",
    icon: IconKey,
    permission: "apikey.manage",
    routes: [{ index: true, element: <ApiKeysPage /> }],
  },
];
