export { costSectionMarkdown, costSectionText, TOP_CHANGES, TOP_DOMAINS } from './plan-section.js';
export { renderChargebackJson, renderChargebackMarkdown, STREAMS_PER_DOMAIN } from './chargeback.js';
export { delta, money, percent, priceSourceText } from './format.js';
