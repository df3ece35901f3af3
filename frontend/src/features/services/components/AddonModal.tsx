import { Alert, Button, Group, Modal, Select, Stack, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useMemo, useState, type FormEvent } from "react";
import { isApiError } from "@/api";
import { useProducts, type Product } from "@/features/catalog";
import { formatMoney } from "@/lib/money";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { newIdempotencyKey, useSellAddon, type AddonSold } from "../api";
import { formatData } from "../charging";

/** What an add-on brings: "5 GB · 100 min · 50 SMS" (empty when it brings no allowance). */
function addonAllowances(product: Product): string {
  const parts: string[] = [];
  if (product.data_mb) parts.push(formatData(product.data_mb));
  if (product.voice_minutes) parts.push(`${product.voice_minutes} min`);
  if (product.sms) parts.push(`${product.sms} SMS`);
  return parts.join(" · ");
}

function addonLabel(product: Product): string {
  const brings = addonAllowances(product);
  const name = product.product_name ?? product.product_slug ?? `Product #${product.product_id}`;
  return [name, formatMoney(product.retail_cost, product.currency), brings].filter(Boolean).join(" — ");
}

interface AddonFormProps {
  serviceId: number;
  productId: number | undefined;
  onDone: (sold: AddonSold, product: Product | undefined) => void;
  onCancel: () => void;
}

function AddonForm({ serviceId, productId, onDone, onCancel }: AddonFormProps) {
  const sell = useSellAddon(serviceId);
  // One key per opening of the dialog (this form is mounted only while it is open): a double
  // click or a retry after a lost response replays the first sale instead of selling again.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [selected, setSelected] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const products = useProducts({
    category: ["addon"],
    enabled: true,
    compatible_with: productId,
    page_size: 100,
    sort: "product_name",
  });
  // The server filters already; checked again so a stale page never offers a wrong one.
  const addons = useMemo(
    () =>
      (products.data?.items ?? []).filter(
        (p) =>
          p.category === "addon" &&
          p.enabled !== false &&
          productId !== undefined &&
          (p.addon_compatible_with ?? []).includes(productId),
      ),
    [products.data, productId],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    if (!selected) {
      setFieldError("Choose an add-on");
      return;
    }
    setFieldError(null);
    const product = addons.find((p) => String(p.product_id) === selected);
    sell.mutate(
      { body: { product_id: Number(selected) }, idempotencyKey },
      {
        onSuccess: (sold) => onDone(sold, product),
        onError: (error) => {
          // A 422 on product_id goes under the picker; anything else (409 service_not_active,
          // addon_incompatible, insufficient_balance, a network failure) above the form.
          const field = isApiError(error) ? error.fieldErrors.product_id : undefined;
          if (field) setFieldError(String(field));
          else setFailure(errorMessage(error));
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate data-testid="addon-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="addon-error">
            {failure}
          </Alert>
        )}
        {products.isError && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="addon-products-error">
            {errorMessage(products.error)}
          </Alert>
        )}
        <Text size="sm" c="dimmed">
          Its price is taken from the monetary balance; its data, voice or SMS are added as balances.
        </Text>
        <Select
          label="Add-on"
          required
          placeholder={
            products.isPending ? "Loading…" : addons.length ? "Choose an add-on" : "No add-ons for this product"
          }
          disabled={products.isPending || addons.length === 0}
          data={addons.map((p) => ({ value: String(p.product_id), label: addonLabel(p) }))}
          value={selected}
          onChange={(value) => {
            setSelected(value);
            setFieldError(null);
          }}
          error={fieldError}
          searchable
          data-autofocus
          data-testid="addon-product"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={sell.isPending} disabled={!addons.length} data-testid="addon-submit">
            Sell add-on
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface AddonModalProps {
  opened: boolean;
  onClose: () => void;
  serviceId: number;
  serviceName: string;
  /** The service's product: only add-ons compatible with it are offered. */
  productId: number | undefined;
  currency: string | null;
}

/** Sell an add-on onto an active service: one of the enabled add-ons compatible with its product. */
export function AddonModal({ opened, onClose, serviceId, serviceName, productId, currency }: AddonModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Add-on for ${serviceName}`}>
      {/* Mounted only while open: each opening starts empty, with a new Idempotency-Key. */}
      {opened && (
        <AddonForm
          serviceId={serviceId}
          productId={productId}
          onCancel={onClose}
          onDone={(sold, product) => {
            onClose();
            const name = product?.product_name ?? sold.product_slug ?? "the add-on";
            notifySuccess(`Sold ${name} for ${formatMoney(sold.charged, product?.currency ?? currency)}.`);
          }}
        />
      )}
    </Modal>
  );
}
