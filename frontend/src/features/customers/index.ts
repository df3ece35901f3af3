// The tickets feature picks customers and names them with these, and this feature shows its
// Tickets tab: the two import each other, so use tickets' exports inside functions only, never
// at a module's top level.
export { useCustomer, useCustomerNames, useSites } from "./api";
export { CustomerDetailPage } from "./components/CustomerDetailPage";
export { CustomerSelect } from "./components/CustomerSelect";
export { CustomersPage } from "./components/CustomersPage";
