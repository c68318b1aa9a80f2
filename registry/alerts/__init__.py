"""Heavy-pollution alerts (重污染天气预警, issue 17): episodes and their levels, orders for every covered enterprise,
delivery (in-app inbox, e-mail, SMS), receipts (回执) and the enterprise's "today" page."""
