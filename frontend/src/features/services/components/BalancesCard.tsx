import { Button, Divider, Group, Progress, Stack, Text } from "@mantine/core";
import { IconPackage, IconPlus } from "@tabler/icons-react";
import { Fragment, useState } from "react";
import { usePermission } from "@/api";
import { DetailCard, QueryState } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useServiceBalances, type Balance, type ServiceDetail } from "../api";
import {
  allowanceSize,
  allowancesRenew,
  exactQuantity,
  formatExpiry,
  formatQuantity,
  percentLeft,
  sortBalances,
} from "../charging";
import { BALANCE_TYPE_LABELS } from "../constants";
import { AddonModal } from "./AddonModal";
import { TopUpModal } from "./TopUpModal";

/** An allowance's bar turns yellow, then red, as it runs out. */
function barColor(percent: number): string {
  if (percent <= 5) return "red";
  if (percent <= 20) return "yellow";
  return "teal";
}

interface BalanceRowProps {
  balance: Balance;
  /** The allowance's full size, when this balance is one of the product's allowances. */
  size: number | null;
  currency: string | null;
  renews: boolean;
}

function BalanceRow({ balance, size, currency, renews }: BalanceRowProps) {
  const { balance_type: type, value } = balance;
  const shown = formatQuantity(type, value, currency);
  const exactValue = exactQuantity(type, value);
  const exact = exactValue && (size === null ? exactValue : `${exactValue} of ${exactQuantity(type, String(size))}`);
  const percent = size === null ? null : percentLeft(value, size);
  const expiry = formatExpiry(balance.expiry);
  return (
    <Stack gap={6} data-testid="balance-row" data-balance-type={type} data-balance-id={balance.balance_id}>
      <Group justify="space-between" align="baseline" gap="xs" wrap="wrap">
        <Group gap="xs" align="baseline" wrap="wrap" miw={0}>
          <Text fw={600} size="sm">
            {BALANCE_TYPE_LABELS[type]}
          </Text>
          <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: "break-all" }}>
            {balance.balance_id}
          </Text>
        </Group>
        <Text
          fw={600}
          size={type === "monetary" ? "lg" : "sm"}
          c={value.startsWith("-") ? "red" : undefined}
          title={exact ?? undefined}
          data-testid="balance-value"
        >
          {size === null ? shown : `${shown} of ${formatQuantity(type, String(size), currency)}`}
        </Text>
      </Group>
      {percent !== null && (
        <Progress
          value={percent}
          color={barColor(percent)}
          size="md"
          aria-label={`${BALANCE_TYPE_LABELS[type]} left`}
          data-testid="balance-bar"
        />
      )}
      <Text size="xs" c="dimmed" title={balance.expiry ? formatDateTime(balance.expiry) : undefined}>
        {expiry === null ? "No expiry" : `${renews && size !== null ? "Renews" : "Expires"} ${expiry}`}
      </Text>
    </Stack>
  );
}

/** The service's live balances (allowances as bars), with the Top up and Add-on actions for payment.write. */
export function BalancesCard({ service }: { service: ServiceDetail }) {
  const balances = useServiceBalances(service.service_id);
  const canPay = usePermission("payment.write");
  const canTopUp = canPay && service.service_status !== "terminated";
  // Add-ons are sold only onto an active service (else 409 service_not_active).
  const canSellAddon = canPay && service.service_status === "active";
  const [topUpOpen, setTopUpOpen] = useState(false);
  const [addonOpen, setAddonOpen] = useState(false);
  const currency = balances.data?.currency ?? (service.price_snapshot.currency as string | undefined) ?? null;
  const renews = allowancesRenew(service);

  return (
    <DetailCard
      title="Balances"
      testId="service-balances"
      extra={
        canTopUp && (
          <Group gap="xs">
            {canSellAddon && (
              <Button
                size="xs"
                variant="light"
                leftSection={<IconPackage size={14} />}
                onClick={() => setAddonOpen(true)}
                data-testid="service-addon"
              >
                Add-on
              </Button>
            )}
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPlus size={14} />}
              onClick={() => setTopUpOpen(true)}
              data-testid="service-topup"
            >
              Top up
            </Button>
          </Group>
        )
      }
    >
      <QueryState query={balances}>
        {(data) =>
          data.balances.length === 0 ? (
            <Text c="dimmed" size="sm">
              No balances yet
            </Text>
          ) : (
            <Stack gap="md">
              {sortBalances(data.balances).map((balance, index) => (
                <Fragment key={`${balance.balance_type}-${balance.balance_id}`}>
                  {index > 0 && <Divider />}
                  <BalanceRow
                    balance={balance}
                    size={allowanceSize(balance, service.price_snapshot)}
                    currency={data.currency}
                    renews={renews}
                  />
                </Fragment>
              ))}
            </Stack>
          )
        }
      </QueryState>
      <TopUpModal
        opened={topUpOpen}
        onClose={() => setTopUpOpen(false)}
        serviceId={service.service_id}
        serviceName={service.service_name}
        currency={currency}
      />
      <AddonModal
        opened={addonOpen}
        onClose={() => setAddonOpen(false)}
        serviceId={service.service_id}
        serviceName={service.service_name}
        productId={service.product_id ?? undefined}
        currency={currency}
      />
    </DetailCard>
  );
}
