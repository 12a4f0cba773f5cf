/**
 * Starting books of a simulated company.
 * - 'empty': CompanyInfo, Preferences, the US sales-tax codes and the accounts every sales form needs.
 * - 'demo': the above plus the traps real books have: near-duplicate customers ("ABC LLC", "ABC, LLC",
 *   "ABC Inc"), an inactive customer still holding its name, a vendor whose name a new customer will collide
 *   with, two items for the same service under different names, terms, classes and departments.
 * Ids are fixed so tests and the sandbox can refer to them.
 */
import type { QboCompany } from './company';
import type { EntityName, QboObject } from './entity-names';

export type SeedName = 'demo' | 'empty';

/** A vendor name that a deal's company will typically want as a customer name (6240 across name lists). */
export const DEMO_VENDOR_NAME = 'Northwind Traders';
export const DEMO_INACTIVE_CUSTOMER_NAME = 'Old Mill Bakery';
export const DEMO_COMPANY_NAME = 'DealBooks Demo Co';

/** Ids of the seeded objects (the same in every demo company). */
export const SEED_IDS = {
  account: { services: '1', productIncome: '2', discounts: '3', undepositedFunds: '4', receivable: '5', inventoryAsset: '6', costOfGoods: '7', checking: '8' },
  taxRate: { state: '1' },
  taxCode: { taxable: 'TAX', nonTaxable: 'NON', salesTaxGroup: '2' },
  term: { dueOnReceipt: '1', net15: '2', net30: '3' },
  class: { consulting: '1', design: '2' },
  department: { headquarters: '1', remote: '2' },
  item: { schematicDesignFee: '1', sdFee: '2', hours: '3', printedPlans: '4' },
  customer: { abcLlc: '1', abcCommaLlc: '2', abcInc: '3', inactive: '4' },
  vendor: { northwind: '5' },
} as const;

/** The default sales tax: 8.25% through the "California" tax group (TaxPrefs.TaxGroupCodeRef). */
export const DEMO_SALES_TAX_PERCENT = 8.25;

const USD = { value: 'USD', name: 'United States Dollar' };
const address = { Line1: '2500 Garcia Ave', City: 'Mountain View', CountrySubDivisionCode: 'CA', PostalCode: '94043', Country: 'US' };

function put(company: QboCompany, entity: EntityName, objects: QboObject[]): void {
  for (const object of objects) company.insert(entity, object, { announce: false });
}

function account(id: string, Name: string, AccountType: string, Classification: string, AccountSubType: string): QboObject {
  return { Id: id, Name, FullyQualifiedName: Name, AccountType, Classification, AccountSubType, Active: true, SubAccount: false, CurrencyRef: USD, CurrentBalance: 0, CurrentBalanceWithSubAccounts: 0 };
}

/** Preferences shaped like a real US company's (fixture preferences_read_response.json); BookCloseDate unset. */
function preferences(companyName: string): QboObject {
  const bool = (Name: string, BooleanValue: boolean) => ({ BooleanValue, Type: 'BooleanType', Name });
  const text = (Name: string, StringValue: string) => ({ StringValue, Type: 'StringType', Name });
  const message = (kind: string, body: string) => ({ Subject: `${kind} from ${companyName}`, Message: `${body}\nThank you for your business.\n\nSincerely,\n${companyName}` });
  return {
    Id: '1',
    EmailMessagesPrefs: {
      InvoiceMessage: message('Invoice', 'Your invoice is attached.  Please remit payment at your earliest convenience.'),
      EstimateMessage: message('Estimate', 'Please review the estimate below.'),
      SalesReceiptMessage: message('Sales Receipt', 'Your sales receipt is attached.'),
      StatementMessage: message('Statement', 'Your statement is attached.'),
    },
    ProductAndServicesPrefs: { QuantityWithPriceAndRate: true, ForPurchase: true, QuantityOnHand: true, ForSales: true },
    ReportPrefs: { ReportBasis: 'Accrual', CalcAgingReportFromTxnDate: false },
    AccountingInfoPrefs: {
      FirstMonthOfFiscalYear: 'January',
      UseAccountNumbers: false,
      TaxYearMonth: 'January',
      ClassTrackingPerTxn: false,
      TrackDepartments: true,
      TaxForm: '6',
      CustomerTerminology: 'Customers',
      DepartmentTerminology: 'Location',
      ClassTrackingPerTxnLine: true,
    },
    SalesFormsPrefs: {
      ETransactionPaymentEnabled: true,
      CustomTxnNumbers: false,
      AllowShipping: false,
      AllowServiceDate: true,
      ETransactionEnabledStatus: 'NotApplicable',
      DefaultCustomerMessage: 'Thank you for your business.',
      EmailCopyToCompany: false,
      AllowEstimates: true,
      DefaultTerms: { value: SEED_IDS.term.net30 },
      AllowDiscount: true,
      DefaultDiscountAccount: SEED_IDS.account.discounts,
      AllowDeposit: true,
      AutoApplyPayments: true,
      IPNSupportEnabled: false,
      AutoApplyCredit: true,
      // Two custom fields on sales forms; the product writes the deal id into the first.
      CustomField: [
        { CustomField: [bool('SalesFormsPrefs.UseSalesCustom3', false), bool('SalesFormsPrefs.UseSalesCustom2', true), bool('SalesFormsPrefs.UseSalesCustom1', true)] },
        { CustomField: [text('SalesFormsPrefs.SalesCustomName1', 'Deal ID'), text('SalesFormsPrefs.SalesCustomName2', 'PO Number')] },
      ],
      UsingPriceLevels: false,
      ETransactionAttachPDF: false,
    },
    VendorAndPurchasesPrefs: {
      BillableExpenseTracking: true,
      TrackingByCustomer: true,
      POCustomField: [
        { CustomField: [bool('PurchasePrefs.UsePurchaseCustom3', false), bool('PurchasePrefs.UsePurchaseCustom2', false), bool('PurchasePrefs.UsePurchaseCustom1', true)] },
        { CustomField: [text('PurchasePrefs.PurchaseCustomName1', 'Deal ID')] },
      ],
    },
    TaxPrefs: { TaxGroupCodeRef: { value: SEED_IDS.taxCode.salesTaxGroup }, UsingSalesTax: true },
    OtherPrefs: {
      NameValue: [
        { Name: 'SalesFormsPrefs.DefaultCustomerMessage', Value: 'Thank you for your business.' },
        { Name: 'DateFormat', Value: 'Month Date Year separated by a slash' },
        { Name: 'DateFormatMnemonic', Value: 'MMDDYYYY_SEP_SLASH' },
        { Name: 'NumberFormat', Value: 'US Number Format' },
        { Name: 'NumberFormatMnemonic', Value: 'US_NB' },
      ],
    },
    TimeTrackingPrefs: { WorkWeekStartDate: 'Monday', MarkTimeEntriesBillable: true, ShowBillRateToAll: false, UseServices: true, BillCustomers: true },
    CurrencyPrefs: { HomeCurrency: { value: 'USD' }, MultiCurrencyEnabled: false },
  };
}

function companyInfo(company: QboCompany, name: string): QboObject {
  return {
    Id: '1',
    CompanyName: name,
    LegalName: name,
    CompanyAddr: { Id: '1', ...address },
    CustomerCommunicationAddr: { Id: '1', ...address },
    LegalAddr: { Id: '1', ...address },
    Country: 'US',
    Email: { Address: 'books@dealbooks.example' },
    PrimaryPhone: { FreeFormNumber: '(650) 555-0100' },
    WebAddr: {},
    SupportedLanguages: 'en',
    EmployerId: '123456789',
    FiscalYearStartMonth: 'January',
    CompanyStartDate: company.today(),
    NameValue: [
      { Name: 'OfferingSku', Value: 'QuickBooks Online Plus' },
      { Name: 'SubscriptionStatus', Value: 'PAID' },
      { Name: 'NeoEnabled', Value: 'true' },
    ],
  };
}

function seedEssentials(company: QboCompany, name: string): void {
  company.insert('CompanyInfo', companyInfo(company, name), { announce: false });
  company.insert('Preferences', preferences(name), { announce: false });
  const a = SEED_IDS.account;
  put(company, 'Account', [
    account(a.services, 'Services', 'Income', 'Revenue', 'ServiceFeeIncome'),
    account(a.productIncome, 'Sales of Product Income', 'Income', 'Revenue', 'SalesOfProductIncome'),
    account(a.discounts, 'Discounts given', 'Income', 'Revenue', 'DiscountsRefundsGiven'),
    account(a.undepositedFunds, 'Undeposited Funds', 'Other Current Asset', 'Asset', 'UndepositedFunds'),
    account(a.receivable, 'Accounts Receivable (A/R)', 'Accounts Receivable', 'Asset', 'AccountsReceivable'),
    account(a.inventoryAsset, 'Inventory Asset', 'Other Current Asset', 'Asset', 'Inventory'),
    account(a.costOfGoods, 'Cost of Goods Sold', 'Cost of Goods Sold', 'Expense', 'SuppliesMaterialsCogs'),
    // A bank account: refund receipts must name one (DepositToAccountRef, Bank or Other Current Asset) and deposits
    // move Undeposited Funds into one. Intuit's samples call it "Checking"
    // (developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/refundreceipt).
    account(a.checking, 'Checking', 'Bank', 'Asset', 'Checking'),
  ]);
  put(company, 'TaxRate', [
    { Id: SEED_IDS.taxRate.state, Name: 'California', Description: 'Sales Tax', RateValue: DEMO_SALES_TAX_PERCENT, AgencyRef: { value: '1' }, SpecialTaxType: 'NONE', DisplayType: 'ReadOnly', EffectiveTaxRate: [{ RateValue: DEMO_SALES_TAX_PERCENT }], Active: true },
  ]);
  // TAX/NON are US pseudo codes (no SyncToken/domain in taxcode_query_response.json); "2" is the real tax group.
  company.insert('TaxCode', { Id: 'TAX', Name: 'TAX', Description: 'TAX', Taxable: true, TaxGroup: false }, { announce: false, versioned: false });
  company.insert('TaxCode', { Id: 'NON', Name: 'NON', Description: 'NON', Taxable: false, TaxGroup: false }, { announce: false, versioned: false });
  put(company, 'TaxCode', [
    {
      Id: SEED_IDS.taxCode.salesTaxGroup,
      Name: 'California',
      Description: 'California',
      Taxable: true,
      TaxGroup: true,
      Active: true,
      SalesTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: SEED_IDS.taxRate.state, name: 'California' }, TaxTypeApplicable: 'TaxOnAmount', TaxOrder: 0 }] },
      PurchaseTaxRateList: { TaxRateDetail: [] },
    },
  ]);
  const t = SEED_IDS.term;
  const term = (Id: string, Name: string, DueDays: number) => ({ Id, Name, Type: 'STANDARD', DueDays, DiscountPercent: 0, DiscountDays: 0, Active: true });
  put(company, 'Term', [term(t.dueOnReceipt, 'Due on receipt', 0), term(t.net15, 'Net 15', 15), term(t.net30, 'Net 30', 30)]);
}

function seedDemo(company: QboCompany): void {
  const named = (Id: string, Name: string) => ({ Id, Name, FullyQualifiedName: Name, Active: true });
  put(company, 'Class', [
    { ...named(SEED_IDS.class.consulting, 'Consulting'), SubClass: false },
    { ...named(SEED_IDS.class.design, 'Design'), SubClass: false },
  ]);
  put(company, 'Department', [
    { ...named(SEED_IDS.department.headquarters, 'Headquarters'), SubDepartment: false },
    { ...named(SEED_IDS.department.remote, 'Remote'), SubDepartment: false },
  ]);
  const income = (id: string, name: string) => ({ value: id, name });
  const service = (Id: string, Name: string, UnitPrice: number, Description: string) => ({
    ...named(Id, Name), Type: 'Service', Description, UnitPrice, PurchaseCost: 0, Taxable: false, TrackQtyOnHand: false,
    IncomeAccountRef: income(SEED_IDS.account.services, 'Services'),
  });
  const i = SEED_IDS.item;
  put(company, 'Item', [
    service(i.schematicDesignFee, 'Schematic Design Fee', 2500, 'Schematic design phase'),
    service(i.sdFee, 'SD Fee', 2500, 'Schematic design phase (short name)'),
    service(i.hours, 'Hours', 150, 'Hourly consulting'),
    { ...named(i.printedPlans, 'Printed Plans'), Type: 'NonInventory', Description: 'Printed plan sets', UnitPrice: 45, PurchaseCost: 0, Taxable: true, TrackQtyOnHand: false, IncomeAccountRef: income(SEED_IDS.account.productIncome, 'Sales of Product Income') },
  ]);
  const c = SEED_IDS.customer;
  const customer = (Id: string, DisplayName: string, email: string | undefined, extra: QboObject = {}) => ({
    Id, DisplayName, FullyQualifiedName: DisplayName, CompanyName: DisplayName, PrintOnCheckName: DisplayName,
    ...(email ? { PrimaryEmailAddr: { Address: email } } : {}),
    Active: true, Job: false, BillWithParent: false, Taxable: true, DefaultTaxCodeRef: { value: '2' },
    PreferredDeliveryMethod: 'Email', CurrencyRef: USD, Balance: 0, BalanceWithJobs: 0,
    BillAddr: { Id: String(company.nextNumber('address', 100)), Line1: '1 Market St', City: 'San Francisco', CountrySubDivisionCode: 'CA', PostalCode: '94105' },
    ...extra,
  });
  put(company, 'Customer', [
    customer(c.abcLlc, 'ABC LLC', 'billing@abcllc.example'),
    customer(c.abcCommaLlc, 'ABC, LLC', 'ap@abc-llc.example'),
    customer(c.abcInc, 'ABC Inc', 'accounts@abcinc.example', { SalesTermRef: { value: SEED_IDS.term.net15, name: 'Net 15' } }),
    customer(c.inactive, DEMO_INACTIVE_CUSTOMER_NAME, undefined, { Active: false }),
  ]);
  put(company, 'Vendor', [
    { Id: SEED_IDS.vendor.northwind, DisplayName: DEMO_VENDOR_NAME, CompanyName: DEMO_VENDOR_NAME, PrintOnCheckName: DEMO_VENDOR_NAME, Active: true, Vendor1099: false, CurrencyRef: USD, Balance: 0 },
  ]);
}

export function seedCompany(company: QboCompany, seed: SeedName, companyName?: string): void {
  seedEssentials(company, companyName ?? DEMO_COMPANY_NAME);
  if (seed === 'demo') seedDemo(company);
}
