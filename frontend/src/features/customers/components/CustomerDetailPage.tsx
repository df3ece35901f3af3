import { Alert, Anchor, Button, Group, Tabs, Tooltip } from "@mantine/core";
import {
  IconAddressBook,
  IconAlertTriangle,
  IconAntenna,
  IconFileText,
  IconFilePlus,
  IconHistory,
  IconId,
  IconMail,
  IconMapPin,
  IconReceipt,
  IconTicket,
} from "@tabler/icons-react";
import { Link, useParams, useSearchParams } from "react-router";
import { isApiError, usePermission, type Customer } from "@/api";
import { DetailPage, PageBreadcrumbs, PageHeader } from "@/components";
import { ActivityTimeline } from "@/features/activity";
import { CustomerBillingTab, useCanSeeBilling } from "@/features/billing";
import { CustomerNotificationsTab } from "@/features/notifications";
import { CustomerTicketsTab } from "@/features/tickets";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useCustomer } from "../api";
import { ContactsTab } from "./ContactsTab";
import { CustomerOverview } from "./CustomerOverview";
import { CustomerContractsTab, CustomerServicesTab } from "./CustomerSalesTabs";
import { CustomerStatusBadge } from "./CustomerStatusBadge";
import { SitesTab } from "./SitesTab";

const TABS = [
  "overview",
  "services",
  "contracts",
  "contacts",
  "sites",
  "activity",
  "billing",
  "tickets",
  "notifications",
] as const;
type Tab = (typeof TABS)[number];

/** "New contract": only an open customer can buy; otherwise say why instead of offering it. */
function NewContractButton({ customer }: { customer: Customer }) {
  if (customer.customer_status === "Open") {
    return (
      <Button
        component={Link}
        to={`/customers/${customer.customer_id}/contracts/new`}
        leftSection={<IconFilePlus size={16} />}
        data-testid="customer-new-contract"
      >
        New contract
      </Button>
    );
  }
  const status = (customer.customer_status ?? "not open").toLowerCase();
  return (
    <Tooltip label={`Contracts are sold to open customers only; this customer is ${status}.`}>
      <Button
        variant="default"
        leftSection={<IconFilePlus size={16} />}
        data-disabled
        data-testid="customer-no-contract"
      >
        No new contracts ({status})
      </Button>
    </Tooltip>
  );
}

/**
 * A customer id that does not exist: say so, with the way back. No Retry — asking again gives
 * the same 404 (Retry stays for network and server errors, through DetailPage).
 */
function CustomerNotFound({ customerId }: { customerId: number }) {
  useDocumentTitle(`Customer #${customerId} not found`);
  return (
    <>
      <PageBreadcrumbs items={[{ label: "Customers", to: "/customers" }, { label: `#${customerId}` }]} />
      <Alert
        color="yellow"
        icon={<IconAlertTriangle size={18} />}
        title="Customer not found"
        data-testid="customer-not-found"
      >
        There is no customer #{customerId}; it may never have existed.{" "}
        <Anchor component={Link} to="/customers">
          Back to customers
        </Anchor>
      </Alert>
    </>
  );
}

export function CustomerDetailPage() {
  const customerId = Number(useParams().customerId);
  const customer = useCustomer(customerId);
  const canSell = usePermission("contract.write");
  const canSeeBilling = useCanSeeBilling();
  const canSeeTickets = usePermission("ticket.read");
  const canSeeServices = usePermission("service.read");
  const canSeeContracts = usePermission("contract.read");
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get("tab") as Tab | null;
  // The customer activity endpoint and the notification preferences need only customer.read,
  // like this page (the Notifications tab lists the messages with notification.read).
  const allowed = (t: Tab) =>
    (t !== "billing" || canSeeBilling) &&
    (t !== "tickets" || canSeeTickets) &&
    (t !== "services" || canSeeServices) &&
    (t !== "contracts" || canSeeContracts);
  const tab: Tab = requested && TABS.includes(requested) && allowed(requested) ? requested : "overview";

  // 4xx will not change by asking again: a missing (or invalid) id is "not found", no Retry.
  if (
    customer.isError &&
    isApiError(customer.error) &&
    (customer.error.status === 404 || customer.error.status === 422)
  ) {
    return <CustomerNotFound customerId={customerId} />;
  }

  return (
    <DetailPage
      breadcrumbs={[
        { label: "Customers", to: "/customers" },
        { label: customer.data?.customer_name ?? `#${customerId}` },
      ]}
      title={`Customer ${customer.data?.customer_name ?? `#${customerId}`}`}
      query={customer}
    >
      {(c) => (
        <>
          <PageHeader
            title={
              <Group gap="sm">
                {c.customer_name}
                <CustomerStatusBadge status={c.customer_status} />
              </Group>
            }
            description={`Customer #${c.customer_id} · ${c.customer_account_type}`}
            actions={canSell && <NewContractButton customer={c} />}
          />
          <Tabs
            value={tab}
            onChange={(value) =>
              setSearchParams(value && value !== "overview" ? { tab: value } : {}, { replace: true })
            }
            keepMounted={false}
          >
            <Tabs.List mb="md">
              <Tabs.Tab value="overview" leftSection={<IconId size={16} />}>
                Overview
              </Tabs.Tab>
              {canSeeServices && (
                <Tabs.Tab value="services" leftSection={<IconAntenna size={16} />} data-testid="tab-services">
                  Services
                </Tabs.Tab>
              )}
              {canSeeContracts && (
                <Tabs.Tab value="contracts" leftSection={<IconFileText size={16} />} data-testid="tab-contracts">
                  Contracts
                </Tabs.Tab>
              )}
              <Tabs.Tab value="contacts" leftSection={<IconAddressBook size={16} />} data-testid="tab-contacts">
                Contacts
              </Tabs.Tab>
              <Tabs.Tab value="sites" leftSection={<IconMapPin size={16} />} data-testid="tab-sites">
                Sites
              </Tabs.Tab>
              <Tabs.Tab value="activity" leftSection={<IconHistory size={16} />} data-testid="tab-activity">
                Activity
              </Tabs.Tab>
              {canSeeBilling && (
                <Tabs.Tab value="billing" leftSection={<IconReceipt size={16} />} data-testid="tab-billing">
                  Billing
                </Tabs.Tab>
              )}
              {canSeeTickets && (
                <Tabs.Tab value="tickets" leftSection={<IconTicket size={16} />} data-testid="tab-tickets">
                  Tickets
                </Tabs.Tab>
              )}
              <Tabs.Tab value="notifications" leftSection={<IconMail size={16} />} data-testid="tab-notifications">
                Notifications
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="overview">
              <CustomerOverview customer={c} />
            </Tabs.Panel>
            {canSeeServices && (
              <Tabs.Panel value="services">
                <CustomerServicesTab customerId={customerId} />
              </Tabs.Panel>
            )}
            {canSeeContracts && (
              <Tabs.Panel value="contracts">
                <CustomerContractsTab customerId={customerId} />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="contacts">
              <ContactsTab customerId={customerId} />
            </Tabs.Panel>
            <Tabs.Panel value="sites">
              <SitesTab customerId={customerId} />
            </Tabs.Panel>
            <Tabs.Panel value="activity">
              <ActivityTimeline customerId={customerId} />
            </Tabs.Panel>
            {canSeeBilling && (
              <Tabs.Panel value="billing">
                <CustomerBillingTab customerId={customerId} currency={c.currency} />
              </Tabs.Panel>
            )}
            {canSeeTickets && (
              <Tabs.Panel value="tickets">
                <CustomerTicketsTab customerId={customerId} />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="notifications">
              <CustomerNotificationsTab customerId={customerId} />
            </Tabs.Panel>
          </Tabs>
        </>
      )}
    </DetailPage>
  );
}
