# By table and column logical name:
terraform import dynamics_sales_optout_field.contact contact/new_salesoptout
