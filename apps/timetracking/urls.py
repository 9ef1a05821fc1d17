app_name = "timetracking"

urlpatterns: list = []
