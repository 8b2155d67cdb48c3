package dataverse

import (
	"strings"
	"time"
)

// seedTime is the creation time of every seeded item. It is fixed, not cfg.Now, so that a
// snapshot of an untouched org is the same in every run.
var seedTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Seeded solution-layer identities.
const (
	defaultPublisherUniqueName = "DefaultPublishersandbox"
	defaultPrefix              = "new"
	solutionOptOutSync         = "OptOutSync"
)

// col describes a seeded (system) column. Columns are managed and non-custom, as the standard
// columns of a real org are (they belong to the System solution).
type col struct {
	logical, schema, typ, display string
	required                      string // AttributeRequiredLevel; "" = None
	create, update                bool
	primaryID, primaryName        bool
	// Boolean
	trueLabel, falseLabel string
	def                   bool
	// String, Memo
	maxLength int
	format    string
	// Lookup
	targets []string
	// Picklist, State, Status: value → label (Status values carry their state)
	options []opt
}

type opt struct {
	value int
	label string
	state int // Status only
}

func boolCol(logical, schema, display, trueLabel, falseLabel string, def bool) col {
	return col{logical: logical, schema: schema, typ: "Boolean", display: display, create: true, update: true,
		trueLabel: trueLabel, falseLabel: falseLabel, def: def}
}

func strCol(logical, schema, display string, maxLength int, format string) col {
	return col{logical: logical, schema: schema, typ: "String", display: display, create: true, update: true,
		maxLength: maxLength, format: format}
}

func lookupCol(logical, schema, typ, display string, targets ...string) col {
	return col{logical: logical, schema: schema, typ: typ, display: display, create: true, update: true, targets: targets}
}

func idCol(entity, schema, display string) col {
	return col{logical: entity + "id", schema: schema + "Id", typ: "Uniqueidentifier", display: display,
		required: "SystemRequired", create: true, primaryID: true}
}

func activityIDCol(display string) col {
	return col{logical: "activityid", schema: "ActivityId", typ: "Uniqueidentifier", display: display,
		required: "SystemRequired", create: true, primaryID: true}
}

// commonCols are the ownership, audit and state columns of a user-owned table.
func commonCols(states, statuses []opt) []col {
	owner := lookupCol("ownerid", "OwnerId", "Owner", "Owner", "systemuser", "team")
	owner.required = "SystemRequired"
	return []col{
		owner,
		{logical: "createdon", schema: "CreatedOn", typ: "DateTime", display: "Created On", format: "DateAndTime"},
		{logical: "modifiedon", schema: "ModifiedOn", typ: "DateTime", display: "Modified On", format: "DateAndTime"},
		{logical: "statecode", schema: "StateCode", typ: "State", display: "Status", required: "SystemRequired", update: true, options: states},
		{logical: "statuscode", schema: "StatusCode", typ: "Status", display: "Status Reason", create: true, update: true, options: statuses},
	}
}

var (
	activeInactive   = []opt{{value: 0, label: "Active"}, {value: 1, label: "Inactive"}}
	activeInactiveSR = []opt{{value: 1, label: "Active", state: 0}, {value: 2, label: "Inactive", state: 1}}
	activityStates   = []opt{{value: 0, label: "Open"}, {value: 1, label: "Completed"}, {value: 2, label: "Canceled"}}
)

// optOutCols are the standard opt-out Booleans of contact (facts section 4). Lead has the same
// minus donotbulkpostalmail, and shows donotsendmm as "Marketing Material".
func optOutCols(entity string) []col {
	cols := []col{
		boolCol("donotbulkemail", "DoNotBulkEMail", "Do not allow Bulk Emails", "Do Not Allow", "Allow", false),
		boolCol("donotbulkpostalmail", "DoNotBulkPostalMail", "Do not allow Bulk Mails", "Yes", "No", false),
		boolCol("donotemail", "DoNotEMail", "Do not allow Emails", "Do Not Allow", "Allow", false),
		boolCol("donotfax", "DoNotFax", "Do not allow Faxes", "Do Not Allow", "Allow", false),
		boolCol("donotphone", "DoNotPhone", "Do not allow Phone Calls", "Do Not Allow", "Allow", false),
		boolCol("donotpostalmail", "DoNotPostalMail", "Do not allow Mails", "Do Not Allow", "Allow", false),
		boolCol("donotsendmm", "DoNotSendMM", "Send Marketing Materials", "Do Not Send", "Send", false),
		boolCol("followemail", "FollowEmail", "Follow Email Activity", "Allow", "Do Not Allow", true),
	}
	if entity != "lead" {
		return cols
	}
	out := cols[:0:0]
	for _, c := range cols {
		switch c.logical {
		case "donotbulkpostalmail":
			continue
		case "donotsendmm":
			c.display = "Marketing Material"
		}
		out = append(out, c)
	}
	return out
}

type tableSpec struct {
	logical, schema, set, display, displayPlural string
	otc                                          int
	activity                                     bool
	primaryID, primaryName                       string
	ownership                                    string
	cols                                         []col
}

func seedTables() []tableSpec {
	money := func(logical, schema, display string) col {
		return col{logical: logical, schema: schema, typ: "Money", display: display, create: true, update: true}
	}
	integer := func(logical, schema, display string) col {
		return col{logical: logical, schema: schema, typ: "Integer", display: display, create: true, update: true}
	}
	memo := col{logical: "description", schema: "Description", typ: "Memo", display: "Description", create: true, update: true, maxLength: 2000, format: "TextArea"}
	fullname := col{logical: "fullname", schema: "FullName", typ: "String", display: "Full Name", primaryName: true, maxLength: 160, format: "Text"}
	firstname := strCol("firstname", "FirstName", "First Name", 50, "Text")
	firstname.required = "Recommended"
	lastname := strCol("lastname", "LastName", "Last Name", 50, "Text")
	lastname.required = "ApplicationRequired"
	email := strCol("emailaddress1", "EMailAddress1", "Email", 100, "Email")
	phone := strCol("telephone1", "Telephone1", "Business Phone", 50, "Phone")
	jobtitle := strCol("jobtitle", "JobTitle", "Job Title", 100, "Text")
	employees := integer("numberofemployees", "NumberOfEmployees", "No. of Employees")
	revenue := money("revenue", "Revenue", "Annual Revenue")
	creditonhold := boolCol("creditonhold", "CreditOnHold", "Credit Hold", "Yes", "No", false)
	subject := func(display string, required string) col {
		c := strCol("subject", "Subject", display, 200, "Text")
		c.required, c.primaryName = required, true
		return c
	}
	name := func(display string) col {
		c := strCol("name", "Name", display, 160, "Text")
		c.required, c.primaryName = "ApplicationRequired", true
		return c
	}

	lead := tableSpec{logical: "lead", schema: "Lead", set: "leads", display: "Lead", displayPlural: "Leads", otc: 4,
		primaryID: "leadid", primaryName: "fullname", ownership: "UserOwned"}
	lead.cols = append([]col{idCol("lead", "Lead", "Lead"), firstname, lastname, fullname,
		func() col { c := subject("Topic", "ApplicationRequired"); c.primaryName = false; return c }(),
		strCol("companyname", "CompanyName", "Company Name", 100, "Text"),
		email, phone, jobtitle, employees, revenue, memo,
		{logical: "leadsourcecode", schema: "LeadSourceCode", typ: "Picklist", display: "Lead Source", create: true, update: true,
			options: []opt{{1, "Advertisement", 0}, {2, "Employee Referral", 0}, {3, "External Referral", 0}, {4, "Partner", 0},
				{5, "Public Relations", 0}, {6, "Seminar", 0}, {7, "Trade Show", 0}, {8, "Web", 0}, {9, "Word of Mouth", 0}, {10, "Other", 0}}},
	}, optOutCols("lead")...)
	lead.cols = append(lead.cols, commonCols(
		[]opt{{0, "Open", 0}, {1, "Qualified", 0}, {2, "Disqualified", 0}},
		[]opt{{1, "New", 0}, {2, "Contacted", 0}, {3, "Qualified", 1}, {4, "Lost", 2}, {5, "Cannot Contact", 2}, {6, "No Longer Interested", 2}, {7, "Canceled", 2}})...)

	contact := tableSpec{logical: "contact", schema: "Contact", set: "contacts", display: "Contact", displayPlural: "Contacts", otc: 2,
		primaryID: "contactid", primaryName: "fullname", ownership: "UserOwned"}
	contact.cols = append([]col{idCol("contact", "Contact", "Contact"), firstname, lastname, fullname,
		email, phone, jobtitle, memo, creditonhold,
		lookupCol("parentcustomerid", "ParentCustomerId", "Customer", "Company Name", "account", "contact"),
		boolCol("marketingonly", "MarketingOnly", "Marketing Only", "Yes", "No", false),
		boolCol("participatesinworkflow", "ParticipatesInWorkflow", "Participates in Workflow", "Yes", "No", false),
	}, optOutCols("contact")...)
	contact.cols = append(contact.cols, commonCols(activeInactive, activeInactiveSR)...)

	account := tableSpec{logical: "account", schema: "Account", set: "accounts", display: "Account", displayPlural: "Accounts", otc: 1,
		primaryID: "accountid", primaryName: "name", ownership: "UserOwned"}
	account.cols = append([]col{idCol("account", "Account", "Account"), name("Account Name"),
		strCol("accountnumber", "AccountNumber", "Account Number", 20, "Text"),
		email, phone, employees, revenue, memo, creditonhold,
		boolCol("donotemail", "DoNotEMail", "Do not allow Emails", "Do Not Allow", "Allow", false),
		boolCol("donotphone", "DoNotPhone", "Do not allow Phone Calls", "Do Not Allow", "Allow", false),
		lookupCol("primarycontactid", "PrimaryContactId", "Lookup", "Primary Contact", "contact"),
	}, commonCols(activeInactive, activeInactiveSR)...)

	opportunity := tableSpec{logical: "opportunity", schema: "Opportunity", set: "opportunities", display: "Opportunity", displayPlural: "Opportunities", otc: 3,
		primaryID: "opportunityid", primaryName: "name", ownership: "UserOwned"}
	opportunity.cols = append([]col{idCol("opportunity", "Opportunity", "Opportunity"), name("Topic"),
		money("estimatedvalue", "EstimatedValue", "Est. Revenue"),
		{logical: "estimatedclosedate", schema: "EstimatedCloseDate", typ: "DateTime", display: "Est. Close Date", create: true, update: true, format: "DateOnly"},
		lookupCol("customerid", "CustomerId", "Customer", "Potential Customer", "account", "contact"),
		lookupCol("parentcontactid", "ParentContactId", "Lookup", "Contact", "contact"),
		boolCol("isrevenuesystemcalculated", "IsRevenueSystemCalculated", "Revenue", "System Calculated", "User Provided", false),
	}, commonCols([]opt{{0, "Open", 0}, {1, "Won", 0}, {2, "Lost", 0}},
		[]opt{{1, "In Progress", 0}, {2, "On Hold", 0}, {3, "Won", 1}, {4, "Canceled", 2}, {5, "Out-Sold", 2}})...)

	task := tableSpec{logical: "task", schema: "Task", set: "tasks", display: "Task", displayPlural: "Tasks", otc: 4212, activity: true,
		primaryID: "activityid", primaryName: "subject", ownership: "UserOwned"}
	task.cols = append([]col{activityIDCol("Task"), subject("Subject", "ApplicationRequired"), memo,
		{logical: "scheduledend", schema: "ScheduledEnd", typ: "DateTime", display: "Due Date", create: true, update: true, format: "DateAndTime"},
		{logical: "prioritycode", schema: "PriorityCode", typ: "Picklist", display: "Priority", create: true, update: true,
			options: []opt{{0, "Low", 0}, {1, "Normal", 0}, {2, "High", 0}}},
		lookupCol("regardingobjectid", "RegardingObjectId", "Lookup", "Regarding", "account", "contact", "lead", "opportunity"),
		boolCol("isbilled", "IsBilled", "Is Billed", "Yes", "No", false),
		boolCol("isworkflowcreated", "IsWorkflowCreated", "Is Workflow Created", "Yes", "No", false),
	}, commonCols(activityStates, []opt{{2, "Not Started", 0}, {3, "In Progress", 0}, {5, "Completed", 1}, {6, "Canceled", 2}})...)

	appointment := tableSpec{logical: "appointment", schema: "Appointment", set: "appointments", display: "Appointment", displayPlural: "Appointments", otc: 4201, activity: true,
		primaryID: "activityid", primaryName: "subject", ownership: "UserOwned"}
	appointment.cols = append([]col{activityIDCol("Appointment"), subject("Subject", "ApplicationRequired"), memo,
		strCol("location", "Location", "Location", 200, "Text"),
		{logical: "scheduledstart", schema: "ScheduledStart", typ: "DateTime", display: "Start Time", create: true, update: true, format: "DateAndTime"},
		{logical: "scheduledend", schema: "ScheduledEnd", typ: "DateTime", display: "End Time", create: true, update: true, format: "DateAndTime"},
		boolCol("isalldayevent", "IsAllDayEvent", "All Day Event", "Yes", "No", false),
		lookupCol("regardingobjectid", "RegardingObjectId", "Lookup", "Regarding", "account", "contact", "lead", "opportunity"),
	}, commonCols([]opt{{0, "Open", 0}, {1, "Completed", 0}, {2, "Canceled", 0}, {3, "Scheduled", 0}},
		[]opt{{1, "Free", 0}, {2, "Tentative", 0}, {3, "Completed", 1}, {4, "Canceled", 2}, {5, "Busy", 3}})...)

	systemuser := tableSpec{logical: "systemuser", schema: "SystemUser", set: "systemusers", display: "User", displayPlural: "Users", otc: 8,
		primaryID: "systemuserid", primaryName: "fullname", ownership: "BusinessOwned"}
	systemuser.cols = []col{idCol("systemuser", "SystemUser", "User"), firstname, lastname, fullname,
		strCol("internalemailaddress", "InternalEMailAddress", "Primary Email", 100, "Email"),
		func() col {
			c := strCol("domainname", "DomainName", "User Name", 1024, "Text")
			c.required = "SystemRequired"
			return c
		}(),
		boolCol("isdisabled", "IsDisabled", "Status", "Disabled", "Enabled", false),
		lookupCol("businessunitid", "BusinessUnitId", "Lookup", "Business Unit", "businessunit"),
		{logical: "createdon", schema: "CreatedOn", typ: "DateTime", display: "Created On", format: "DateAndTime"},
		{logical: "modifiedon", schema: "ModifiedOn", typ: "DateTime", display: "Modified On", format: "DateAndTime"},
	}

	return []tableSpec{account, appointment, contact, lead, opportunity, systemuser, task}
}

// seedState builds the initial org: the seven tables, the default publisher (prefix new), the
// unmanaged OptOutSync solution and the managed System solution.
func seedState() *state {
	st := &state{
		Version:        stateVersion,
		Tokens:         map[string]*token{},
		OrganizationID: nameGUID("organization"),
		BusinessUnitID: nameGUID("businessunit"),
		UserID:         nameGUID("systemuser", "application-user"),
	}
	for _, spec := range seedTables() {
		st.Tables = append(st.Tables, buildTable(spec))
	}

	defaultPub := &publisher{ID: nameGUID("publisher", defaultPublisherUniqueName), UniqueName: defaultPublisherUniqueName,
		FriendlyName: "Default Publisher for sandbox", Prefix: defaultPrefix, OptionValuePrefix: 10000}
	msPub := &publisher{ID: nameGUID("publisher", "MicrosoftCorporation"), UniqueName: "MicrosoftCorporation",
		FriendlyName: "MicrosoftCorporation", Prefix: "none", OptionValuePrefix: 0}
	st.Publishers = []*publisher{defaultPub, msPub}
	st.Solutions = []*solution{
		{ID: nameGUID("solution", "Default"), UniqueName: "Default", FriendlyName: "Default Solution", Version: "1.0",
			PublisherID: defaultPub.ID, InstalledOn: seedTime, Components: []*component{}},
		{ID: nameGUID("solution", "System"), UniqueName: "System", FriendlyName: "System Solution", Version: "9.2.0.0",
			IsManaged: true, PublisherID: msPub.ID, InstalledOn: seedTime, Components: []*component{}},
		{ID: nameGUID("solution", solutionOptOutSync), UniqueName: solutionOptOutSync, FriendlyName: "Opt-Out Sync", Version: "1.0.0.0",
			IsVisible: true, PublisherID: defaultPub.ID, InstalledOn: seedTime, Components: []*component{}},
	}
	return st
}

func buildTable(spec tableSpec) *table {
	t := &table{
		MetadataID: nameGUID("entity", spec.logical), LogicalName: spec.logical, SchemaName: spec.schema,
		EntitySetName: spec.set, CollectionSchemaName: strings.ReplaceAll(spec.displayPlural, " ", ""),
		DisplayName:           seedLabel(spec.display, "entity", spec.logical, "display"),
		DisplayCollectionName: seedLabel(spec.displayPlural, "entity", spec.logical, "collection"),
		Description:           label{LocalizedLabels: []localizedLabel{}},
		PrimaryIDAttribute:    spec.primaryID, PrimaryNameAttribute: spec.primaryName,
		ObjectTypeCode: spec.otc, IsActivity: spec.activity, OwnershipType: spec.ownership,
	}
	for i, c := range spec.cols {
		t.Attributes = append(t.Attributes, buildAttribute(spec.logical, c, i+1))
	}
	// A State option's DefaultStatus is the first Status option of that state.
	if state, status := t.attribute("statecode"), t.attribute("statuscode"); state != nil && status != nil {
		for i := range state.OptionSet.Options {
			so := &state.OptionSet.Options[i]
			for _, st := range status.OptionSet.Options {
				if st.State != nil && *st.State == so.Value {
					v := st.Value
					so.DefaultStatus = &v
					break
				}
			}
		}
	}
	return t
}

func buildAttribute(entity string, c col, column int) *attribute {
	id := nameGUID("attribute", entity, c.logical)
	required := c.required
	if required == "" {
		required = "None"
	}
	a := &attribute{
		MetadataID: id, LogicalName: c.logical, SchemaName: c.schema, AttributeType: c.typ,
		DisplayName:   seedLabel(c.display, "attribute", entity, c.logical, "display"),
		Description:   label{LocalizedLabels: []localizedLabel{}},
		RequiredLevel: required,
		// A system-required column's requirement level is locked by its managed property; the
		// others may be changed even on managed (system) columns.
		RequiredLevelCanBeChanged: required != "SystemRequired",
		IsManaged:                 true,
		IsValidForCreate:          c.create, IsValidForRead: true, IsValidForUpdate: c.update,
		IsPrimaryID: c.primaryID, IsPrimaryName: c.primaryName,
		IntroducedVersion: "5.0.0.0", ColumnNumber: column,
		CreatedOn: seedTime, ModifiedOn: seedTime,
		MaxLength: c.maxLength, Format: c.format, Targets: c.targets,
	}
	switch c.typ {
	case "Boolean":
		a.DefaultValue = c.def
		a.OptionSet = &optionSet{
			MetadataID: nameGUID("optionset", entity, c.logical), Name: entity + "_" + c.logical,
			OptionSetType: "Boolean", IsManaged: true,
			TrueOption:  &option{Value: 1, Label: seedLabel(c.trueLabel, "option", entity, c.logical, "1"), Description: emptyLabel(), IsManaged: true},
			FalseOption: &option{Value: 0, Label: seedLabel(c.falseLabel, "option", entity, c.logical, "0"), Description: emptyLabel(), IsManaged: true},
		}
	case "Picklist", "State", "Status":
		os := &optionSet{MetadataID: nameGUID("optionset", entity, c.logical), Name: entity + "_" + c.logical,
			OptionSetType: c.typ, IsManaged: true}
		for _, o := range c.options {
			op := option{Value: o.value, Label: seedLabel(o.label, "option", entity, c.logical, o.label), Description: emptyLabel(), IsManaged: true}
			if c.typ == "Status" {
				s := o.state
				op.State = &s
			}
			os.Options = append(os.Options, op)
		}
		a.OptionSet = os
	case "Integer":
		a.MinValue, a.MaxValue = -2147483648, 2147483647
	case "Money":
		a.MinValue, a.MaxValue, a.Precision = -922337203685477, 922337203685477, 2
	}
	return a
}

// seedLabel is a 1033 label with a deterministic MetadataId.
func seedLabel(text string, idParts ...string) label {
	if text == "" {
		return label{LocalizedLabels: []localizedLabel{}}
	}
	return label{LocalizedLabels: []localizedLabel{{Label: text, LanguageCode: userLanguage, IsManaged: true,
		MetadataID: nameGUID(append([]string{"label"}, idParts...)...)}}}
}
