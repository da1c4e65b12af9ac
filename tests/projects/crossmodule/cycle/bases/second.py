from first import First


class Second(First):
    pass
