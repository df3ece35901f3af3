import { Anchor, Breadcrumbs, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import { PageHeader, QueryState } from "@/components";
import { formatMoney, formatPercent } from "@/features/catalog/money";
import { ServiceProvisioningCard } from "@/features/provisioning";
import { Field, PriceSnapshot, ReasonModal, ServiceStatusBadge } from "@/features/services";
import { formatDate, formatDateTime, orDash } from "@/lib/format";
import { errorMessage, notifyError, notifySuccess } from "@/lib/notify";
import { downloadContractPdf, useContract, useContractAction, type Contract, type ContractAction } from "../api";
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

function ContractDetails({ contract }: { contract: Contract }) {
  const canWrite = usePermission("contract.write");
  const mutation = useContractAction(contract.contract_id);
  const [action, setAction] = useState<ContractAction | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const actions = canWrite ? contractActionsFor(contract.contract_status) : [];
  const setup = contract.charges.find((c) => c.kind === "setup");

  const submit = (reason: string) => {
    if (!action) return;
    setFailure(null);
    mutation.mutate(
      { action, reason },
      {
        onSuccess: (updated) => {
          notifySuccess(`${updated.contract_number}: ${CONTRACT_STATUS_LABELS[updated.contract_status]}.`);
          setAction(null);
        },
        onError: (error) => setFailure(errorMessage(error)),
      },
    );
  };

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
            {actions.map((a) => (
              <Button
                key={a}
                variant={a === "close" ? "light" : "default"}
                color={a === "close" ? "red" : undefined}
                onClick={() => {
                  setFailure(null);
                  setAction(a);
                }}
                data-testid={`contract-action-${a}`}
              >
                {CONTRACT_ACTION_LABELS[a]}
              </Button>
            ))}
          </>
        }
      />
      <Stack>
        <Card withBorder radius="md" padding="lg">
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="lg">
            <Field label="Customer">
              <Anchor component={Link} to={`/customers/${contract.customer_id}`} data-testid="contract-customer">
                #{contract.customer_id}
              </Anchor>
            </Field>
            <Field label="Product">
              <Anchor component={Link} to={`/products/${contract.product_id}`}>
                {orDash(contract.price_snapshot.product_name as string | undefined)} (#{contract.product_id})
              </Anchor>
            </Field>
            <Field label="Service">
              <Group gap="xs">
                <Anchor component={Link} to={`/services/${contract.service_id}`} data-testid="contract-service">
                  #{contract.service_id}
                </Anchor>
                {contract.service?.service_status ? (
                  <ServiceStatusBadge status={String(contract.service.service_status)} />
                ) : null}
              </Group>
            </Field>
            <Field label="SIM ICCID" testId="contract-iccid">
              {contract.sim_inventory_id !== null ? (
                <Anchor component={Link} to={`/inventory/items/${contract.sim_inventory_id}`} ff="monospace">
                  {orDash(contract.sim_iccid)}
                </Anchor>
              ) : (
                orDash(contract.sim_iccid)
              )}
            </Field>
            <Field label="MSISDN" testId="contract-msisdn">
              {contract.number_inventory_id !== null ? (
                <Anchor component={Link} to={`/inventory/items/${contract.number_inventory_id}`} ff="monospace">
                  {orDash(contract.msisdn)}
                </Anchor>
              ) : (
                orDash(contract.msisdn)
              )}
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
              {contract.accepted_by_user_id !== null ? ` · user #${contract.accepted_by_user_id}` : ""}
            </Field>
            <Field label="Closed">{formatDateTime(contract.closed_at)}</Field>
          </SimpleGrid>
        </Card>
        <Card withBorder radius="md" padding="lg">
          <Title order={5} mb="md">
            Price snapshot
          </Title>
          <PriceSnapshot snapshot={contract.price_snapshot} />
        </Card>
        <Card withBorder radius="md" padding="lg">
          <Title order={5} mb="md">
            One-off charges
          </Title>
          <Charges contract={contract} />
        </Card>
        <ServiceProvisioningCard serviceId={contract.service_id} testId="contract-provisioning" />
      </Stack>
      <ReasonModal
        title={action ? `${CONTRACT_ACTION_LABELS[action]} ${contract.contract_number}` : null}
        confirmLabel={action ? CONTRACT_ACTION_LABELS[action] : ""}
        danger={action === "close"}
        description={
          action === "close"
            ? "Closing terminates the service and returns the SIM and number to stock."
            : "The service follows the contract."
        }
        pending={mutation.isPending}
        error={failure}
        onSubmit={submit}
        onClose={() => setAction(null)}
      />
    </>
  );
}

export function ContractDetailPage() {
  const contractId = Number(useParams().contractId);
  const contract = useContract(contractId);
  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/contracts" size="sm">
          Contracts
        </Anchor>
        <Text size="sm">{contract.data?.contract_number ?? `#${contractId}`}</Text>
      </Breadcrumbs>
      <QueryState query={contract}>{(c) => <ContractDetails contract={c} />}</QueryState>
    </>
  );
}
