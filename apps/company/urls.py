app_name = "company"

urlpatterns: list = []
