import { Alert, Anchor, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconCopy } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { isApiError } from "@/api";
import { showFormError } from "@/lib/forms";
import { notifySuccess } from "@/lib/notify";
import { useCreateProduct, useUpdateProduct, type Product } from "../api";
import { AllowancesSection } from "./productForm/AllowancesSection";
import { toCreate, toUpdate } from "./productForm/body";
import { EligibilitySection } from "./productForm/EligibilitySection";
import { GeneralSection } from "./productForm/GeneralSection";
import { PricesSection } from "./productForm/PricesSection";
import { ProvisioningSection } from "./productForm/ProvisioningSection";
import { initialValues, productSchema, type ProductFormValues } from "./productForm/schema";

function DuplicateAlert({ productId, onOpen }: { productId: number; onOpen: () => void }) {
  return (
    <Alert color="orange" icon={<IconCopy size={18} />} title="This slug is taken" data-testid="product-duplicate">
      <Text size="sm">
        Another product already uses this slug.{" "}
        <Anchor component={Link} to={`/products/${productId}`} onClick={onOpen}>
          Open product #{productId}
        </Anchor>
      </Text>
    </Alert>
  );
}

interface ProductFormProps {
  product?: Product;
  onDone: (product: Product) => void;
  onCancel: () => void;
}

/** Create (no `product`) or edit a product. Server validation lands under the inputs. */
export function ProductForm({ product, onDone, onCancel }: ProductFormProps) {
  const create = useCreateProduct();
  const update = useUpdateProduct(product?.product_id ?? 0);
  const [duplicateOf, setDuplicateOf] = useState<number | null>(null);
  const form = useForm<ProductFormValues>({
    mode: "controlled",
    initialValues: initialValues(product),
    validate: zod4Resolver(productSchema),
  });

  const submit = form.onSubmit((values) => {
    setDuplicateOf(null);
    const onError = (error: unknown) => {
      if (isApiError(error, "duplicate_product")) {
        const existing = Number(error.body.existing_product_id);
        if (Number.isFinite(existing) && error.body.existing_product_id != null) {
          setDuplicateOf(existing);
          form.setFieldError("product_slug", error.message);
          return;
        }
      }
      showFormError(form, error);
    };
    if (product) update.mutate(toUpdate(values), { onSuccess: onDone, onError });
    else create.mutate(toCreate(values), { onSuccess: onDone, onError });
  });

  return (
    <form onSubmit={submit} noValidate data-testid="product-form">
      <Stack>
        {duplicateOf !== null && <DuplicateAlert productId={duplicateOf} onOpen={onCancel} />}
        <GeneralSection form={form} editingId={product?.product_id} />
        <PricesSection form={form} />
        <AllowancesSection form={form} />
        <ProvisioningSection form={form} />
        <EligibilitySection form={form} />
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending} data-testid="product-submit">
            {product ? "Save changes" : "Create product"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface ProductFormModalProps {
  opened: boolean;
  onClose: () => void;
  /** Edit this product; create a new one when absent. */
  product?: Product;
}

export function ProductFormModal({ opened, onClose, product }: ProductFormModalProps) {
  const navigate = useNavigate();
  return (
    <Modal opened={opened} onClose={onClose} title={product ? "Edit product" : "New product"} size="xl">
      {opened && (
        <ProductForm
          product={product}
          onCancel={onClose}
          onDone={(saved) => {
            onClose();
            if (product) {
              notifySuccess("Product saved.");
            } else {
              notifySuccess(`${saved.product_name} created.`);
              navigate(`/products/${saved.product_id}`);
            }
          }}
        />
      )}
    </Modal>
  );
}
