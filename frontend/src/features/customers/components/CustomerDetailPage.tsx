import { Button, Group, Tabs } from "@mantine/core";
import {
  IconAddressBook,
  IconFilePlus,
  IconHistory,
  IconId,
  IconMail,
  IconMapPin,
  IconReceipt,
  IconTicket,
} from "@tabler/icons-react";
import { Link, useParams, useSearchParams } from "react-router";
import { usePermission } from "@/api";
import { DetailPage, PageHeader } from "@/components";
import { ActivityTimeline } from "@/features/activity";
import { CustomerBillingTab, useCanSeeBilling } from "@/features/billing";
import { CustomerNotificationsTab } from "@/features/notifications";
import { CustomerTicketsTab } from "@/features/tickets";
import { useCustomer } from "../api";
import { ContactsTab } from "./ContactsTab";
import { CustomerOverview } from "./CustomerOverview";
import { CustomerStatusBadge } from "./CustomerStatusBadge";
import { SitesTab } from "./SitesTab";

const TABS = ["overview", "contacts", "sites", "activity", "billing", "tickets", "notifications"] as const;
type Tab = (typeof TABS)[number];

export function CustomerDetailPage() {
  const customerId = Number(useParams().customerId);
  const customer = useCustomer(customerId);
  const canSell = usePermission("contract.write");
  const canSeeBilling = useCanSeeBilling();
  const canSeeTickets = usePermission("ticket.read");
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get("tab") as Tab | null;
  // The customer activity endpoint and the notification preferences need only customer.read,
  // like this page (the Notifications tab lists the messages with notification.read).
  const allowed = (t: Tab) => (t !== "billing" || canSeeBilling) && (t !== "tickets" || canSeeTickets);
  const tab: Tab = requested && TABS.includes(requested) && allowed(requested) ? requested : "overview";

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
            actions={
              canSell && (
                <Button
                  component={Link}
                  to={`/customers/${c.customer_id}/contracts/new`}
                  leftSection={<IconFilePlus size={16} />}
                  data-testid="customer-new-contract"
                >
                  New contract
                </Button>
              )
            }
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
