import { Alert, Button, Group, Modal, Select, Stack, Text, Textarea } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useMemo, useState, type FormEvent } from "react";
import { isApiError } from "@/api";
import { BILLING_PERIOD_LABELS, useProducts, type Product } from "@/features/catalog";
import { formatMoney } from "@/lib/money";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useChangePlan, type ServiceDetail } from "../api";
import { formatData } from "../charging";

const MAX_REASON = 500;

/** "Mobile 20GB — 35.00 USD / Monthly — 20 GB · 200 min". */
function planLabel(product: Product): string {
  const allowances: string[] = [];
  if (product.data_mb) allowances.push(formatData(product.data_mb));
  if (product.voice_minutes) allowances.push(`${product.voice_minutes} min`);
  if (product.sms) allowances.push(`${product.sms} SMS`);
  const name = product.product_name ?? product.product_slug ?? `Product #${product.product_id}`;
  const period = product.billing_period ? BILLING_PERIOD_LABELS[product.billing_period] : null;
  const price = [formatMoney(product.retail_cost, product.currency), period].filter(Boolean).join(" / ");
  return [name, price, allowances.join(" · ")].filter(Boolean).join(" — ");
}

interface ChangePlanFormProps {
  service: ServiceDetail;
  onDone: (updated: ServiceDetail, product: Product | undefined) => void;
  onCancel: () => void;
}

function ChangePlanForm({ service, onDone, onCancel }: ChangePlanFormProps) {
  const change = useChangePlan(service.service_id);
  const [selected, setSelected] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [fieldErrors, setFieldErrors] = useState<{ product_id?: string; reason?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const products = useProducts({ category: ["standalone"], enabled: true, page_size: 100, sort: "product_name" });
  const currency = (service.price_snapshot.currency as string | undefined) ?? null;
  // The server filters already; checked again so a stale page never offers one it would refuse
  // for its form (the current plan, another category or currency). Eligibility for the
  // customer's payment type is the server's answer (409 product_not_eligible).
  const plans = useMemo(
    () =>
      (products.data?.items ?? []).filter(
        (p) =>
          p.category === "standalone" &&
          p.enabled !== false &&
          p.product_id !== service.product_id &&
          (currency === null || p.currency === currency),
      ),
    [products.data, service.product_id, currency],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const text = reason.trim();
    const invalid = {
      product_id: selected ? undefined : "Choose a plan",
      reason: text.length > MAX_REASON ? `At most ${MAX_REASON} characters` : undefined,
    };
    setFieldErrors(invalid);
    if (!selected || invalid.reason) return;
    const product = plans.find((p) => String(p.product_id) === selected);
    change.mutate(
      { product_id: Number(selected), ...(text ? { reason: text } : {}) },
      {
        onSuccess: (updated) => onDone(updated, product),
        onError: (error) => {
          // A 422 on a field goes under it; anything else (409 plan_change_refused,
          // product_disabled, product_not_eligible, a network failure) above the form.
          const fields = isApiError(error) ? error.fieldErrors : {};
          if (fields.product_id || fields.reason) {
            setFieldErrors({ product_id: fields.product_id, reason: fields.reason });
          } else {
            setFailure(errorMessage(error));
          }
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate data-testid="change-plan-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="change-plan-error">
            {failure}
          </Alert>
        )}
        {products.isError && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="change-plan-products-error">
            {errorMessage(products.error)}
          </Alert>
        )}
        <Text size="sm" c="dimmed">
          The service takes the new plan's prices now (billing prorates the rest of the period) and its allowances for
          the rest of this period.
        </Text>
        <Select
          label="New plan"
          required
          placeholder={products.isPending ? "Loading…" : plans.length ? "Choose a plan" : "No other plans"}
          disabled={products.isPending || plans.length === 0}
          data={plans.map((p) => ({ value: String(p.product_id), label: planLabel(p) }))}
          value={selected}
          onChange={(value) => {
            setSelected(value);
            setFieldErrors((errors) => ({ ...errors, product_id: undefined }));
          }}
          error={fieldErrors.product_id}
          searchable
          data-autofocus
          data-testid="change-plan-product"
        />
        <Textarea
          label="Reason"
          autosize
          minRows={2}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={fieldErrors.reason}
          data-testid="change-plan-reason"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={change.isPending} disabled={!plans.length} data-testid="change-plan-submit">
            Change plan
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface ChangePlanModalProps {
  opened: boolean;
  onClose: () => void;
  service: ServiceDetail;
}

/** Move a live service to another enabled standalone product (POST /crm/service/{id}/change-plan). */
export function ChangePlanModal({ opened, onClose, service }: ChangePlanModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Change plan of ${service.service_name}`}>
      {/* Mounted only while open: each opening starts empty. */}
      {opened && (
        <ChangePlanForm
          service={service}
          onCancel={onClose}
          onDone={(updated, product) => {
            onClose();
            const name = product?.product_name ?? `product #${updated.product_id}`;
            notifySuccess(`${updated.service_name} is now on ${name}.`);
          }}
        />
      )}
    </Modal>
  );
}
