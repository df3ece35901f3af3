// The customers feature shows the Tickets tab, and this feature picks and names customers with
// its exports: the two import each other, so use customers' exports inside functions only,
// never at a module's top level.
export { CustomerTicketsTab } from "./components/CustomerTicketsTab";
export { NewTicketModal } from "./components/NewTicketModal";
export { TicketBoard } from "./components/TicketBoard";
export { TicketDetailPage } from "./components/TicketDetailPage";
export type { Ticket, TicketDetail, TicketStatus } from "./api";
