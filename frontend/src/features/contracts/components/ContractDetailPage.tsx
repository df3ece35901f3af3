import { Anchor, Button, Group, Stack, Table, Text } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import {
  ActionButtons,
  DetailCard,
  DetailPage,
  Field,
  FieldGrid,
  PageHeader,
  PriceSnapshot,
  ReasonModal,
  useReasonAction,
} from "@/components";
import { ServiceProvisioningCard } from "@/features/provisioning";
import { ServiceStatusBadge } from "@/features/services";
import { formatDate, formatDateTime, orDash } from "@/lib/format";
import { formatMoney, formatPercent } from "@/lib/money";
import { notifyError } from "@/lib/notify";
import { downloadContractPdf, useContract, useContractAction, type Contract } from "../api";
import { CONTRACT_ACTION_LABELS, CONTRACT_STATUS_LABELS, contractActionsFor } from "../constants";
import { ContractStatusBadge } from "./ContractStatusBadge";

function Charges({ contract }: { contract: Contract }) {
  if (contract.charges.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No charges
      </Text>
    );
  }
  return (
    <Table data-testid="contract-charges">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Charge</Table.Th>
          <Table.Th>Amount</Table.Th>
          <Table.Th>Tax</Table.Th>
          <Table.Th>Created</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {contract.charges.map((c) => (
          <Table.Tr key={c.contract_charge_id}>
            <Table.Td tt="capitalize">{c.kind}</Table.Td>
            <Table.Td>{formatMoney(c.amount, c.currency)}</Table.Td>
            <Table.Td>
              {formatMoney(c.tax_amount, c.currency)} ({formatPercent(c.tax_percentage)})
            </Table.Td>
            <Table.Td>{formatDateTime(c.created_at)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function PdfButton({ contract }: { contract: Contract }) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      await downloadContractPdf(contract.contract_id, `${contract.contract_number}.pdf`);
    } catch (error) {
      notifyError(error, "Could not download the PDF");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      variant="default"
      leftSection={<IconDownload size={16} />}
      loading={busy}
      onClick={() => void download()}
      data-testid="contract-pdf"
    >
      Download PDF
    </Button>
  );
}

/** An inventory item's value, linked to the item when there is one. */
function ItemLink({ id, children }: { id: number | null; children: string }) {
  return id !== null ? (
    <Anchor component={Link} to={`/inventory/items/${id}`} ff="monospace">
      {children}
    </Anchor>
  ) : (
    children
  );
}

function ContractDetails({ contract }: { contract: Contract }) {
  const canWrite = usePermission("contract.write");
  const reason = useReasonAction(
    useContractAction(contract.contract_id),
    (updated) => `${updated.contract_number}: ${CONTRACT_STATUS_LABELS[updated.contract_status]}.`,
  );
  const { action } = reason;
  const setup = contract.charges.find((c) => c.kind === "setup");

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            <span style={{ fontFamily: "monospace" }} data-testid="contract-number">
              {contract.contract_number}
            </span>
            <ContractStatusBadge status={contract.contract_status} testId="contract-status" />
          </Group>
        }
        description={`Contract #${contract.contract_id}`}
        actions={
          <>
            <PdfButton contract={contract} />
            <ActionButtons
              actions={canWrite ? contractActionsFor(contract.contract_status) : []}
              label={(a) => CONTRACT_ACTION_LABELS[a]}
              danger="close"
              onAction={reason.open}
              testIdPrefix="contract-action"
            />
          </>
        }
      />
      <Stack>
        <DetailCard>
          <FieldGrid>
            <Field label="Customer">
              <Anchor component={Link} to={`/customers/${contract.customer_id}`} data-testid="contract-customer">
                {contract.customer_name ?? `Customer #${contract.customer_id}`}
              </Anchor>
            </Field>
            <Field label="Product">
              <Anchor component={Link} to={`/products/${contract.product_id}`} data-testid="contract-product">
                {contract.product_name ?? orDash(contract.price_snapshot.product_name as string | undefined)}
              </Anchor>
            </Field>
            <Field label="Site">
              {contract.site_id !== null ? (
                <Anchor
                  component={Link}
                  to={`/customers/${contract.customer_id}?tab=sites`}
                  data-testid="contract-site"
                >
                  {contract.site_name ?? `Site #${contract.site_id}`}
                </Anchor>
              ) : (
                "—"
              )}
            </Field>
            <Field label="Service">
              <Group gap="xs">
                <Anchor component={Link} to={`/services/${contract.service_id}`} data-testid="contract-service">
                  {contract.msisdn ? `Service ${contract.msisdn}` : `Service #${contract.service_id}`}
                </Anchor>
                {contract.service?.service_status ? (
                  <ServiceStatusBadge status={String(contract.service.service_status)} />
                ) : null}
              </Group>
            </Field>
            <Field label="SIM ICCID" testId="contract-iccid">
              <ItemLink id={contract.sim_inventory_id}>{orDash(contract.sim_iccid)}</ItemLink>
            </Field>
            <Field label="MSISDN" testId="contract-msisdn">
              <ItemLink id={contract.number_inventory_id}>{orDash(contract.msisdn)}</ItemLink>
            </Field>
            <Field label="Charging id">
              <Text ff="monospace" size="sm">
                {orDash(contract.service?.service_uuid)}
              </Text>
            </Field>
            <Field label="Term">{contract.term_months} months</Field>
            <Field label="Start">{formatDate(contract.start_date)}</Field>
            <Field label="End">{formatDate(contract.end_date)}</Field>
            <Field label="Setup charge">{setup ? formatMoney(setup.amount, setup.currency) : "—"}</Field>
            <Field label="Accepted">
              {formatDateTime(contract.accepted_at)}
              {contract.accepted_by_user_id !== null
                ? ` · by ${contract.accepted_by_name ?? `user #${contract.accepted_by_user_id}`}`
                : ""}
            </Field>
            <Field label="Closed">{formatDateTime(contract.closed_at)}</Field>
          </FieldGrid>
        </DetailCard>
        <DetailCard title="Price snapshot">
          <PriceSnapshot snapshot={contract.price_snapshot} />
        </DetailCard>
        <DetailCard title="One-off charges">
          <Charges contract={contract} />
        </DetailCard>
        <ServiceProvisioningCard serviceId={contract.service_id} testId="contract-provisioning" />
      </Stack>
      <ReasonModal
        title={action ? `${CONTRACT_ACTION_LABELS[action]} ${contract.contract_number}` : null}
        confirmLabel={action ? CONTRACT_ACTION_LABELS[action] : ""}
        danger={action === "close"}
        description={
          action === "close"
            ? "Terminating ends the service for good (it cannot be resumed) and returns the SIM to " +
              "stock; the number goes into quarantine before it can be sold again."
            : "The service follows the contract."
        }
        pending={reason.pending}
        error={reason.failure}
        onSubmit={reason.submit}
        onClose={reason.close}
      />
    </>
  );
}

export function ContractDetailPage() {
  const contractId = Number(useParams().contractId);
  const contract = useContract(contractId);
  return (
    <DetailPage
      breadcrumbs={[
        { label: "Contracts", to: "/contracts" },
        { label: contract.data?.contract_number ?? `#${contractId}` },
      ]}
      title={`Contract ${contract.data?.contract_number ?? `#${contractId}`}`}
      query={contract}
    >
      {(c) => <ContractDetails contract={c} />}
    </DetailPage>
  );
}
