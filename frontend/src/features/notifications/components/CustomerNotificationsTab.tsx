import { Stack } from "@mantine/core";
import { usePermission } from "@/api";
import { CustomerMessagesCard } from "./CustomerMessagesCard";
import { PreferencesCard } from "./PreferencesCard";

/** The customer page's Notifications tab: what they receive, and (notification.read) what they were sent. */
export function CustomerNotificationsTab({ customerId }: { customerId: number }) {
  const canSeeOutbox = usePermission("notification.read");
  return (
    <Stack data-testid="customer-notifications">
      <PreferencesCard customerId={customerId} />
      {canSeeOutbox && <CustomerMessagesCard customerId={customerId} />}
    </Stack>
  );
}
