export { useContacts, useDeleteContact, useSaveContact } from "./contacts";
export {
  exportCustomers,
  useArchiveCustomer,
  useCreateCustomer,
  useCustomer,
  useCustomerNames,
  useCustomers,
  useUpdateCustomer,
  type CustomerFilters,
  type ExportFormat,
} from "./customers";
export { customerKeys } from "./keys";
export { useCustomerContracts, useCustomerDefaults } from "./sales";
export { useDeleteSite, useSaveSite, useSites } from "./sites";
