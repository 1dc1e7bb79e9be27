/** Shopify webhooks as Shopify sends them, signed with `X-Shopify-Hmac-Sha256`, typed by `X-Shopify-Topic`. */
import { randomUUID } from 'node:crypto';
import { iso, randomNumber, type Sample } from './types.js';

export const SHOPIFY_SAMPLES: readonly Sample[] = [
  {
    event: 'orders/create',
    provider: 'shopify',
    description: 'order #1001 placed: two items, $64.00',
    newId: randomUUID,
    payload: ({ now }) => {
      const id = randomNumber(13);
      const customer = { id: randomNumber(13), email: 'bob.norman@example.com', first_name: 'Bob', last_name: 'Norman' };
      const address = {
        first_name: 'Bob',
        last_name: 'Norman',
        address1: '123 Amoebobacterieae St',
        city: 'Ottawa',
        province: 'Ontario',
        province_code: 'ON',
        country: 'Canada',
        country_code: 'CA',
        zip: 'K2P0V6',
        phone: '555-625-1199',
      };
      return {
        id,
        admin_graphql_api_id: `gid://shopify/Order/${id}`,
        app_id: null,
        confirmed: true,
        contact_email: customer.email,
        created_at: iso(now),
        currency: 'USD',
        current_total_price: '64.00',
        email: customer.email,
        financial_status: 'paid',
        fulfillment_status: null,
        name: '#1001',
        order_number: 1001,
        presentment_currency: 'USD',
        processed_at: iso(now),
        subtotal_price: '59.00',
        tags: '',
        test: true,
        total_discounts: '0.00',
        total_price: '64.00',
        total_tax: '5.00',
        updated_at: iso(now),
        customer,
        billing_address: address,
        shipping_address: address,
        line_items: [
          {
            id: randomNumber(13),
            product_id: 632910392,
            variant_id: 808950810,
            title: 'IPod Nano - 8GB',
            quantity: 1,
            price: '49.00',
            sku: 'IPOD2008PINK',
          },
          {
            id: randomNumber(13),
            product_id: 632910393,
            variant_id: 808950811,
            title: 'Sticker',
            quantity: 2,
            price: '5.00',
            sku: 'STICK-1',
          },
        ],
        shipping_lines: [{ code: 'Standard', price: '0.00', title: 'Standard Shipping' }],
      };
    },
  },
  {
    event: 'customers/create',
    provider: 'shopify',
    description: 'a customer signed up',
    newId: randomUUID,
    payload: ({ now }) => {
      const id = randomNumber(13);
      return {
        id,
        admin_graphql_api_id: `gid://shopify/Customer/${id}`,
        email: 'bob.norman@example.com',
        first_name: 'Bob',
        last_name: 'Norman',
        created_at: iso(now),
        updated_at: iso(now),
        state: 'enabled',
        verified_email: true,
        currency: 'USD',
        tags: '',
        addresses: [],
      };
    },
  },
];
