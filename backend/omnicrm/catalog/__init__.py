"""The product catalog: tariffs, bundles, add-ons and promotions that staff sell."""
